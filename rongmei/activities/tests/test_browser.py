"""In a real browser: a resident registers and submits a photo entry, an operator approves
it in the console, another resident votes; a resident takes a quiz to the end and sees
their rank."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from rongmei.browser_testing import assert_no_page_problems, login_by_sms, login_console, open_page
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def _jpeg() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 40, 40)).save(data, "JPEG")
    return data.getvalue()


def test_contest_and_quiz_in_a_browser(live_site, browser, browser_page, browser_context_args):
    from django.utils import timezone

    from rongmei.accounts.models import User
    from rongmei.activities import services
    from rongmei.activities.models import Contest, Entry, Question, QuestionBank, Vote
    from rongmei.points.models import EarningRule

    operator = make_user("operator")
    now = timezone.now()
    contest = services.contest_create(
        actor=operator, title="浏览器测试评选", registration_opens=now - timedelta(hours=1),
        submission_closes=now + timedelta(days=1), voting_opens=now + timedelta(days=2),
        voting_closes=now + timedelta(days=3), results_at=now + timedelta(days=4),
        form_fields=["name", "phone"])
    author = User.objects.create_user("15299990011")
    page = browser_page
    login_by_sms(page, live_site, author.phone, next_path=f"/activities/contests/{contest.pk}/")
    page.get_by_label("姓名").fill("陈晓")
    page.get_by_label("手机号").fill(author.phone)
    with page.expect_navigation():
        page.get_by_test_id("ax-register").click()
    page.get_by_label("作品名称").fill("红军桥的故事")
    page.set_input_files("#ax-photo", files=[
        {"name": "bridge.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    with page.expect_navigation():
        page.get_by_test_id("ax-submit").click()
    assert "待审核" in page.inner_text("[data-testid=ax-mine]")
    entry = Entry.objects.get(contest=contest)
    assert entry.photo
    page.context.close()

    console = open_page(browser, DESKTOP)
    login_console(console, live_site.base_url, operator)
    console.goto(live_site.url(f"/admin/activities/contests/{contest.pk}/"))
    with console.expect_navigation():
        console.get_by_role("button", name="通过并公开").click()
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.number == 1
    console.context.close()

    # Voting opens (the stage dates move, as the days would).
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(minutes=2),
        voting_opens=timezone.now() - timedelta(minutes=1))
    voter = User.objects.create_user("15299990012")
    page = open_page(browser, browser_context_args)
    login_by_sms(page, live_site, voter.phone, next_path=f"/activities/entries/{entry.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("ax-vote").click()
    assert "投票成功" in page.inner_text(".rm-messages")
    assert "1" in page.inner_text("[data-testid=ax-votes]")  # stored + waiting in Redis
    from .conftest import settle_votes

    settle_votes()  # with Redis the vote is stored by the drain
    assert Vote.objects.filter(voter=voter).count() == 1

    # The same resident takes a quiz to the end and sees the rank.
    EarningRule.objects.get_or_create(action="quiz", defaults={
        "label": "答题", "points": 5, "daily_cap": 20})
    bank = QuestionBank.objects.create(name="浏览器题库")
    question = Question.objects.create(bank=bank, kind="judge", text="拨打12345可以反映诉求。",
                                       options=["正确", "错误"], answer=[0])
    quiz = services.quiz_create(actor=operator, title="浏览器答题", bank_id=bank.pk,
                                question_count=1, time_limit_seconds=120,
                                opens_at=timezone.now() - timedelta(minutes=1),
                                closes_at=timezone.now() + timedelta(days=1))
    page.goto(live_site.url(f"/activities/quizzes/{quiz.pk}/"))
    with page.expect_navigation():
        page.get_by_test_id("ax-quiz-start").click()
    assert "data-correct" not in page.content()
    page.get_by_label("正确").check()
    with page.expect_navigation():
        page.get_by_test_id("ax-quiz-submit").click()
    assert "100" in page.inner_text("[data-testid=ax-score]")
    assert "第1名" in page.inner_text("[data-testid=ax-rank]")
    assert question.pk
    # The test server has no SSE stream (the room falls back to polling, as a phone does).
    assert_no_page_problems(page, allow=("/live/stream/", "status of 404"))
    page.context.close()


def test_a_live_quiz_in_the_room_and_on_its_page(live_site, browser, browser_page,
                                                 browser_context_args):
    """The host pushes a question from the console; in the 直播间 and on the quiz's own page
    the card shows it with the server's countdown; a resident answers once; the reveal
    marks the right option."""
    from django.utils import timezone

    from rongmei.accounts.models import User
    from rongmei.activities import services
    from rongmei.activities.models import LiveQuizAnswer, LiveQuizItem, Question, QuestionBank
    from rongmei.live.services.rooms import room_create

    operator, editor = make_user("operator"), make_user("editor")
    room = room_create(actor=editor, title="知识竞赛直播", starts_at=timezone.now() + timedelta(hours=1))
    bank = QuestionBank.objects.create(name="直播题库")
    Question.objects.create(bank=bank, kind="single", text="莲乡县的县花是什么？",
                            options=["荷花", "梅花", "菊花"], answer=[0], explanation="莲乡因莲得名")
    quiz = services.live_quiz_create(actor=operator, title="直播答题测试", bank_id=bank.pk,
                                     live_room_id=room.pk, answer_seconds=20)
    resident = User.objects.create_user("15299990033")

    page = browser_page
    login_by_sms(page, live_site, resident.phone, next_path=f"/live/{room.pk}/")
    quiz_page = page.context.new_page()
    quiz_page.goto(f"{live_site.base_url}/activities/live-quizzes/{quiz.pk}/")
    assert "答题还没开始" in quiz_page.inner_text("#ax-live-quiz")

    console = open_page(browser, DESKTOP)
    login_console(console, live_site.base_url, operator)
    console.goto(f"{live_site.base_url}/admin/activities/live-quizzes/{quiz.pk}/")
    with console.expect_navigation():
        console.get_by_role("button", name="推送题目").click()
    assert "已推送题目" in console.inner_text("body")

    card = page.locator("#live-quiz")
    card.get_by_text("莲乡县的县花是什么？").wait_for(timeout=15000)
    assert "剩余" in card.inner_text()
    card.get_by_role("button", name="A. 荷花").click()
    card.get_by_text("已提交，等待公布答案").wait_for()
    answer = LiveQuizAnswer.objects.get(item__live_quiz=quiz)
    assert answer.user == resident and answer.choice == [0] and answer.correct
    quiz_page.locator("#ax-live-quiz").get_by_text("莲乡县的县花是什么？").wait_for(timeout=15000)
    # The answer given in the room shows on the quiz's page too (its state says what I chose).
    quiz_page.locator("#ax-live-quiz .ax-live__option[aria-pressed=true]").wait_for(timeout=15000)
    assert "A. 荷花" in quiz_page.locator("#ax-live-quiz [aria-pressed=true]").inner_text()

    # The host waits out the window (moved, not waited for: 20 s is the rule, not the test).
    LiveQuizItem.objects.filter(live_quiz=quiz).update(pushed_at=timezone.now() - timedelta(seconds=25),
                                closes_at=timezone.now() - timedelta(seconds=5))
    with console.expect_navigation():
        console.get_by_role("button", name="公布答案").click()
    assert "已公布答案" in console.inner_text("body")
    card.get_by_text("回答正确！").wait_for(timeout=15000)
    assert "解析：莲乡因莲得名" in card.inner_text()
    # The test server has no SSE stream (the room falls back to polling, as a phone does).
    assert_no_page_problems(page, allow=("/live/stream/", "status of 404"))
