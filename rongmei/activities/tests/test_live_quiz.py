"""直播答题 through its doors: the host's console screen pushes, reveals and finishes; viewers
answer through the API; the live room's channel carries each question with the server's
times and never the key before the reveal."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.activities.models import LiveQuiz, LiveQuizAnswer, LiveQuizItem, QuestionBank

from .conftest import API, api_post, old_user
from .test_quizzes import GOOD, import_bank

pytestmark = pytest.mark.django_db
CONSOLE = "/admin/activities/live-quizzes/"


@pytest.fixture
def room(ax):
    from rongmei.live.services.rooms import room_create
    from rongmei.tests_support import make_user

    editor = make_user("editor")
    return room_create(actor=editor, title="知识竞赛决赛直播",
                       starts_at=timezone.now() + timedelta(hours=1))


@pytest.fixture
def live(client, ax, room):
    from rongmei.points.models import EarningRule

    EarningRule.objects.get_or_create(action="quiz", defaults={
        "label": "答题", "points": 5, "daily_cap": 20})
    assert import_bank(client, ax.operator, GOOD).status_code == 302
    bank = QuestionBank.objects.get()
    response = client.post(CONSOLE, {"title": "知识竞赛直播答题", "bank_id": bank.pk,
                                     "live_room_id": room.pk, "answer_seconds": 15,
                                     "pass_score": 50})
    assert response.status_code == 302, response.content.decode()[:2000]
    return LiveQuiz.objects.get()


def host(client, operator, quiz, action, **extra):
    client.force_login(operator)
    return client.post(f"{CONSOLE}{quiz.pk}/", {"action": action, **extra}, follow=True)


def close_window(quiz):
    """The host waits out the answer window (time moved, not the rules)."""
    past = timezone.now() - timedelta(seconds=5)
    LiveQuizItem.objects.filter(live_quiz=quiz).update(
        pushed_at=past - timedelta(seconds=15), closes_at=past)


def channel_quiz_messages(room):
    from rongmei.live import fanout

    return [m for m in fanout.recent(room.pk)["priority"] if m["kind"] == "quiz"]


def test_a_live_quiz_from_push_to_ranking(client, ax, room, live,
                                          django_capture_on_commit_callbacks):
    first, second = ax.people[0], ax.people[1]
    with django_capture_on_commit_callbacks(execute=True):
        page = host(client, ax.operator, live, "push")
    assert "已推送题目" in page.content.decode()
    item = LiveQuizItem.objects.get()
    question = item.question

    # The room's channel carries the question with the server's clock, and not the key.
    pushed = channel_quiz_messages(room)
    assert len(pushed) == 1 and pushed[0]["phase"] == "question"
    data = pushed[0]["question"]
    assert data["item"] == item.pk and data["closes_at"] - data["pushed_at"] == 15
    assert "result" not in pushed[0] and set(data) == {
        "item", "position", "kind", "kind_label", "text", "options", "pushed_at", "closes_at"}

    # The public state (the quiz's own page) says the same, also without the key.
    state = client.get(f"{API}/live-quizzes/{live.pk}").json()
    assert state["question"]["text"] == question.text and state["result"] is None
    page = client.get(f"/activities/live-quizzes/{live.pk}/").content.decode()
    assert question.text in page

    right = question.answer
    wrong = [i for i in range(len(question.options)) if i not in right][:1]
    ok = api_post(client, first, f"/live-quizzes/{live.pk}/answers",
                  {"item_id": item.pk, "choice": right})
    assert ok.status_code == 200 and "correct" not in ok.json()
    assert api_post(client, second, f"/live-quizzes/{live.pk}/answers",
                    {"item_id": item.pk, "choice": wrong}).status_code == 200
    again = api_post(client, first, f"/live-quizzes/{live.pk}/answers",
                     {"item_id": item.pk, "choice": wrong})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert LiveQuizAnswer.objects.count() == 2

    # No reveal and no next question while the window is open.
    page = host(client, ax.operator, live, "reveal").content.decode()
    assert "作答时间还没结束" in page
    assert "作答时间还没结束" in host(client, ax.operator, live, "push").content.decode()
    assert LiveQuizItem.objects.count() == 1 and LiveQuizItem.objects.get().revealed_at is None

    close_window(live)
    late = api_post(client, ax.people[2], f"/live-quizzes/{live.pk}/answers",
                    {"item_id": item.pk, "choice": right})
    assert late.status_code == 409 and late.json()["message"] == "本题作答时间已结束"
    with django_capture_on_commit_callbacks(execute=True):
        assert "已公布答案" in host(client, ax.operator, live, "reveal").content.decode()
    revealed = [m for m in channel_quiz_messages(room) if m["phase"] == "reveal"]
    assert revealed and revealed[0]["result"]["answer"] == sorted(right)
    assert revealed[0]["result"]["answered"] == 2 and revealed[0]["result"]["right"] == 1
    assert client.get(f"{API}/live-quizzes/{live.pk}").json()["result"]["right"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert "本场答题已结束" in host(client, ax.operator, live, "finish").content.decode()
    board = client.get(f"{API}/live-quizzes/{live.pk}/leaderboard").json()
    assert [row["correct"] for row in board] == [1, 0]
    assert first.nickname not in json.dumps(board, ensure_ascii=False) or len(
        first.nickname) < 2  # names are masked
    from rongmei.points.models import PointsEntry

    assert PointsEntry.objects.filter(account__user=first, action="quiz").count() == 1
    assert not PointsEntry.objects.filter(account__user=second, action="quiz").exists()
    # Finishing twice pays nothing more.
    host(client, ax.operator, live, "finish")
    assert PointsEntry.objects.filter(account__user=first, action="quiz").count() == 1
    assert [m["phase"] for m in channel_quiz_messages(room)][0] == "finished"


def test_bad_answers_are_refused_in_chinese_and_nothing_is_stored(client, ax, live):
    resident = ax.people[0]
    host(client, ax.operator, live, "push")
    item = LiveQuizItem.objects.get()
    url = f"/live-quizzes/{live.pk}/answers"
    cases = [
        ({"item_id": item.pk + 999, "choice": [0]}, 400, "question_not_in_quiz"),
        ({"item_id": item.pk, "choice": [7]}, 400, "invalid_answer"),
        ({"item_id": item.pk, "choice": []}, 400, "invalid_answer"),
        ({"item_id": item.pk, "choice": [0, 0]}, 400, "invalid_answer"),
        ({"item_id": item.pk, "choice": [True]}, 422, None),
        ({"item_id": 2 ** 70, "choice": [0]}, 400, "number_out_of_range"),
    ]
    if item.question.kind != "multiple":
        cases.append(({"item_id": item.pk, "choice": [0, 1]}, 400, "invalid_answer"))
    for body, status, code in cases:
        response = api_post(client, resident, url, body)
        assert response.status_code == status, (body, response.content)
        if code:
            assert response.json()["code"] == code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert api_post(client, resident, "/live-quizzes/999999/answers",
                    {"item_id": item.pk, "choice": [0]}).status_code == 404
    client.logout()
    anonymous = client.post(f"{API}{url}", {"item_id": item.pk, "choice": [0]},
                            content_type="application/json")
    assert anonymous.status_code == 401
    assert not LiveQuizAnswer.objects.exists()


def test_only_operators_host_and_the_room_must_exist(client, ax, live):
    resident = old_user()
    client.force_login(resident)
    client.post(f"{CONSOLE}{live.pk}/", {"action": "push"})
    assert not LiveQuizItem.objects.exists()
    client.force_login(ax.operator)
    response = client.post(CONSOLE, {"title": "另一场", "bank_id": live.bank_id,
                                     "live_room_id": 987654, "answer_seconds": 20,
                                     "pass_score": 60})
    assert response.status_code == 200 and "所填直播间不存在" in response.content.decode()
    assert LiveQuiz.objects.count() == 1
    console = client.get(f"{CONSOLE}{live.pk}/")
    assert console.status_code == 200 and "推送题目" in console.content.decode()


def test_a_question_a_live_quiz_revealed_is_never_on_a_prize_quiz_paper(client, ax, live):
    """A 有奖答题 on the same bank would otherwise be answerable from the live reveal."""
    from rongmei.activities import services

    host(client, ax.operator, live, "push")
    item = LiveQuizItem.objects.get()
    close_window(live)
    host(client, ax.operator, live, "reveal")
    now = timezone.now()
    quiz = services.quiz_create(actor=ax.operator, title="县情有奖答题", bank_id=live.bank_id,
                                question_count=2, time_limit_seconds=60, attempts_per_day=5,
                                opens_at=now - timedelta(hours=1),
                                closes_at=now + timedelta(days=1))
    for _ in range(3):
        paper = api_post(client, ax.people[0], f"/quizzes/{quiz.pk}/attempts")
        assert paper.status_code == 200
        assert item.question_id not in [q["id"] for q in paper.json()["questions"]]
