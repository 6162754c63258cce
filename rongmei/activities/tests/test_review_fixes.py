"""Findings of the adversarial review of 活动, each through the door a user came in by."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.activities.models import (
    Attempt,
    Contest,
    ContestJudge,
    Entry,
    JudgeScore,
    PublicDraw,
    Vote,
)
from rongmei.tests_support import make_user

from .conftest import API, api_post, approved_entries, make_contest, settle_votes, workbook

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- judges -----------------------------------------------------------------------------------

@pytest.fixture
def judged(client, ax):
    """A contest with two finalists; the first entry's author is also named a judge."""
    contest = make_contest(ax.operator)
    first, second = approved_entries(ax.operator, contest, ax.people[:2])
    client.force_login(ax.operator)
    console = f"/admin/activities/contests/{contest.pk}/"
    client.post(console, {"action": "judge_add", "phone": ax.people[0].phone})
    for entry in (first, second):
        client.post(console, {"action": "finalist", "entry": entry.pk})
    judge = ax.people[0]
    judge.refresh_from_db()
    return contest, first, second, judge


@pytest.mark.parametrize("score", ["NaN", "nan", "-NaN", "Infinity", "sNaN"])
def test_a_judge_scoring_not_a_number_is_refused_in_chinese_not_a_500(client, judged, score):
    contest, _, second, judge = judged
    client.force_login(judge)
    response = client.post(f"/admin/activities/judging/{contest.pk}/",
                           {"entry": second.pk, "score": score}, follow=True)
    assert response.status_code == 200
    assert "评分须为0至100的数字" in messages_of(response)
    assert not JudgeScore.objects.exists()


def test_a_judge_cannot_score_their_own_entry(client, judged):
    contest, own, other, judge = judged
    client.force_login(judge)
    url = f"/admin/activities/judging/{contest.pk}/"
    refused = client.post(url, {"entry": own.pk, "score": "100"}, follow=True)
    assert "评委不能为自己的作品打分" in messages_of(refused)
    client.post(url, {"entry": other.pk, "score": "60"})
    assert list(JudgeScore.objects.values_list("entry_id", flat=True)) == [other.pk]
    assert Entry.objects.get(pk=own.pk).judge_score is None


# --- links on public pages --------------------------------------------------------------------

def _contest_form(**extra):
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    return {"title": "红色故事我来讲", "registration_opens": (now - timedelta(hours=1)).strftime(fmt),
            "submission_closes": (now + timedelta(days=1)).strftime(fmt),
            "voting_opens": (now + timedelta(days=2)).strftime(fmt),
            "voting_closes": (now + timedelta(days=3)).strftime(fmt),
            "results_at": (now + timedelta(days=4)).strftime(fmt),
            "form_fields": ["name"], "allow_text": "on", "votes_per_day": 1,
            "vote_scope": "contest", "judge_weight": 0, **extra}


@pytest.mark.parametrize("link", ["javascript:alert(1)", " JavaScript:alert(1)",
                                  "data:text/html,<script>alert(1)</script>",
                                  "//evil.example/live", "https://x.example/ a"])
def test_a_contest_live_link_is_http_or_a_site_path(client, ax, link):
    client.force_login(ax.operator)
    page = client.post("/admin/activities/contests/", _contest_form(live_url=link))
    assert page.status_code == 200
    assert "链接须以" in page.content.decode() or "链接中不能有空格" in page.content.decode()
    assert not Contest.objects.exists()
    client.post("/admin/activities/contests/", _contest_form(live_url="/live/3/"))
    assert Contest.objects.get().live_url == "/live/3/"


def test_a_draw_live_link_is_http_or_a_site_path(client, ax):
    client.force_login(ax.operator)
    client.post("/admin/activities/draws/", {
        "title": "城区小学学位摇号", "quota": 3, "public_value_source": "福彩3D第2026321期",
        "public_value_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "live_url": "javascript:alert(1)"})
    assert not PublicDraw.objects.exists()


# --- video entries ----------------------------------------------------------------------------

@pytest.mark.skipif(not shutil.which("ffprobe"), reason="needs ffprobe")
def test_a_page_renamed_mp4_is_refused_on_the_video_field(client, ax):
    contest = make_contest(ax.operator, allow_video=True)
    author = ax.people[0]
    api_post(client, author, f"/contests/{contest.pk}/register",
             {"answers": {"name": "李华", "phone": "13812345678"}})
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "entry.mp4"
    refused = client.post(f"{API}/contests/{contest.pk}/entries",
                          {"title": "红军桥的故事", "video": fake})
    assert refused.status_code == 400
    assert refused.json()["field"] == "video"
    assert not Entry.objects.exists()


# --- quizzes ----------------------------------------------------------------------------------

def test_a_quiz_answer_is_a_json_integer_not_true_or_a_string(client, ax):
    from rongmei.activities import services

    services.import_bank(actor=ax.operator, name="题库", data=workbook(
        ("题型", "题目", "选项A", "选项B", "答案"),
        [("单选", f"第{i}题的题目", "甲", "乙", "A") for i in range(3)]).getvalue())
    from rongmei.activities.models import QuestionBank

    now = timezone.now()
    quiz = services.quiz_create(actor=ax.operator, title="知识竞答",
                                bank_id=QuestionBank.objects.get().pk, question_count=3,
                                opens_at=now - timedelta(hours=1),
                                closes_at=now + timedelta(days=1))
    player = ax.people[0]
    attempt = api_post(client, player, f"/quizzes/{quiz.pk}/attempts").json()
    first = str(attempt["questions"][0]["id"])
    for picked in ([True], ["0"], [0.5]):
        refused = api_post(client, player, f"/attempts/{attempt['id']}/submit",
                           {"answers": {first: picked}})
        assert refused.status_code == 422, picked
        assert Attempt.objects.get().submitted_at is None


# --- the console acts on the contest on screen ------------------------------------------------

def test_the_console_does_not_invalidate_votes_of_another_contests_entry(client, ax):
    here = make_contest(ax.operator, stage="voting")
    there = make_contest(ax.operator, stage="voting")
    (target,) = approved_entries(ax.operator, there, ax.people[:1])
    newcomer = make_user()  # a brand-new account: its vote is flagged
    from rongmei.activities import services

    services.vote_cast(user=newcomer, entry_id=target.pk)
    settle_votes()
    client.force_login(ax.operator)
    response = client.post(f"/admin/activities/contests/{here.pk}/",
                           {"action": "invalidate", "entry": target.pk,
                            "reason": "新注册账号集中投票"}, follow=True)
    assert "该作品不属于本次评选" in messages_of(response)
    assert not Vote.objects.filter(invalid=True).exists()
    assert Entry.objects.get(pk=target.pk).votes == 1


def test_the_console_does_not_remove_a_judge_of_another_contest(client, ax):
    here = make_contest(ax.operator)
    there = make_contest(ax.operator)
    judge = make_user()
    client.force_login(ax.operator)
    client.post(f"/admin/activities/contests/{there.pk}/",
                {"action": "judge_add", "phone": judge.phone})
    named = ContestJudge.objects.get()
    client.post(f"/admin/activities/contests/{here.pk}/",
                {"action": "judge_remove", "judge": named.pk})
    assert ContestJudge.objects.filter(pk=named.pk).exists()


# --- public draws: the public value's source and day are fixed in advance ---------------------

def test_a_draw_names_its_public_value_and_its_day_before_the_list_closes(client, ax):
    client.force_login(ax.operator)
    base = {"title": "城区小学学位摇号", "quota": 1}
    client.post("/admin/activities/draws/", base)  # no source, no day
    client.post("/admin/activities/draws/", {**base, "public_value_source": "福彩3D",
                                             "public_value_on": timezone.localdate().isoformat()})
    assert not PublicDraw.objects.exists()  # a day already here is no commitment

    draw_on = timezone.localdate() + timedelta(days=2)
    client.post("/admin/activities/draws/", {**base, "public_value_source": "福彩3D第2026321期",
                                             "public_value_on": draw_on.isoformat()})
    draw = PublicDraw.objects.get()
    record = client.get(f"{API}/draws/{draw.pk}/record").json()
    assert record["public_draw_on"] == draw_on.isoformat()
    assert client.get(f"{API}/draws").json()[0]["public_value_on"] == draw_on.isoformat()

    url = f"/admin/activities/draws/{draw.pk}/"
    client.post(url, {"action": "import", "file": workbook(("编号", "姓名"),
                                                           [("0001", "张小明"), ("0002", "李小红")])})
    # Sealing on the day the value is drawn is too late: it could be timed after the value.
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        client.force_login(ax.operator)
        late = client.post(url, {"action": "close"}, follow=True)
        assert any("须在此之前封存" in m for m in messages_of(late))
    assert PublicDraw.objects.get().status == "open"

    client.post(url, {"action": "close"})
    assert PublicDraw.objects.get().status == "closed"
    # The value does not exist before its day: any value typed now would be a choice.
    early = client.post(url, {"action": "run", "public_value": "386"}, follow=True)
    assert any("以后录入" in m for m in messages_of(early))
    assert PublicDraw.objects.get().status == "closed"
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        client.force_login(ax.operator)
        client.post(url, {"action": "run", "public_value": "386"})
    assert PublicDraw.objects.get().status == "drawn"


# --- parallel votes over HTTP on PostgreSQL ---------------------------------------------------

def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.mark.skipif(not _postgres(), reason="needs PostgreSQL: real row contention")
@pytest.mark.django_db(transaction=True)
def test_parallel_votes_over_http_keep_the_limit_and_the_counts_exact(live_server):
    """Three people press 投票 eight times each at once, through the API, against a
    threaded server: each gets exactly their three votes, and votes stored = votes counted."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from rongmei.accounts.services import api_token_issue

    from .conftest import old_user

    operator = make_user("operator")
    contest = make_contest(operator, votes_per_day=3)
    first, second = approved_entries(operator, contest, [old_user(), old_user()])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    tokens = [api_token_issue(user=old_user()) for _ in range(3)]

    def press(job):
        token, entry = job
        return requests.post(f"{live_server.url}{API}/entries/{entry.pk}/vote", timeout=60,
                             headers={"Authorization": f"Bearer {token}"}).status_code

    jobs = [(t, e) for t in tokens for e in (first, second) * 4]
    with ThreadPoolExecutor(len(jobs)) as pool:
        codes = list(pool.map(press, jobs))
    assert sorted(codes) == [200] * 9 + [409] * 15, codes
    settle_votes()  # with Redis, the votes admitted are stored by the drain
    stored = Vote.objects.filter(contest=contest).count()
    counted = sum(Entry.objects.filter(contest=contest).values_list("votes", flat=True))
    assert stored == counted == 9


def test_a_resident_taken_off_the_judges_is_a_resident_again(client, ax):
    from rongmei.units.access import user_roles

    contest = make_contest(ax.operator)
    resident, staff = ax.people[0], make_user("reporter")
    client.force_login(ax.operator)
    console = f"/admin/activities/contests/{contest.pk}/"
    for person in (resident, staff):
        client.post(console, {"action": "judge_add", "phone": person.phone})
    resident.refresh_from_db()
    assert resident.is_staff and "judge" in user_roles(resident)
    for named in ContestJudge.objects.all():
        client.post(console, {"action": "judge_remove", "judge": named.pk})
    assert not ContestJudge.objects.exists()
    from rongmei.accounts.models import User

    resident, staff = User.objects.get(pk=resident.pk), User.objects.get(pk=staff.pk)
    assert not resident.is_staff and "judge" not in user_roles(resident)
    assert staff.is_staff and "judge" not in user_roles(staff)  # still a 记者


# --- registrations: personal numbers masked in the list, a full look logged -------------------

def test_the_console_lists_registrations_masked_and_logs_a_full_look(client, ax):
    from rongmei.accounts.models import PersonalDataAccess
    from rongmei.activities import services
    from rongmei.activities.models import Registration

    contest = make_contest(ax.operator)
    Contest.objects.filter(pk=contest.pk).update(form_fields=["name", "phone", "id_number"])
    # An ID number is checked like 实名登记's (check digit, birth date), not only its length.
    for bad in ("110105194912310029", "110105194913310028"):
        refused = api_post(client, ax.people[0], f"/contests/{contest.pk}/register", {
            "answers": {"name": "李华", "phone": "13812345678", "id_number": bad}})
        assert refused.status_code == 400 and refused.json()["field"] == "id_number"
        assert "身份证号码" in refused.json()["message"]
    assert not Registration.objects.exists()
    services.registration_create(user=ax.people[0], contest_id=contest.pk, answers={
        "name": "李华", "phone": "13812345678", "id_number": "36102519900101123X"})
    registration = Registration.objects.get()
    # At rest the ID number is like 实名登记's: masked in the answers, the full one encrypted.
    assert registration.answers["id_number"] == "361***********123X"
    assert registration.id_number_encrypted
    assert "19900101" not in registration.id_number_encrypted
    client.force_login(ax.operator)
    listing = client.get(f"/admin/activities/contests/{contest.pk}/").content.decode()
    assert "13812345678" not in listing and "138****5678" in listing
    assert "36102519900101123X" not in listing and "361***********123X" in listing
    assert not PersonalDataAccess.objects.exists()

    full = client.get(f"/admin/activities/registrations/{registration.pk}/").content.decode()
    assert "13812345678" in full and "36102519900101123X" in full
    look = PersonalDataAccess.objects.get()
    assert look.viewer == ax.operator and look.subject_id == ax.people[0].pk

    for outsider in (ax.people[1], make_user("unit_admin")):
        client.force_login(outsider)
        page = client.get(f"/admin/activities/registrations/{registration.pk}/")
        assert "13812345678" not in page.content.decode()
    assert PersonalDataAccess.objects.count() == 1
    # 注销 erases the answers and the sealed number; the full look stays but has nothing left.
    from rongmei.accounts.services import account_delete

    account_delete(user=ax.people[0])
    registration.refresh_from_db()
    assert registration.answers == {} and registration.id_number_encrypted == ""


# --- the leaderboard: each person's best, picked by the database ------------------------------

def test_the_leaderboard_ranks_each_persons_best_attempt_by_score_then_time(client, ax):
    from rongmei.activities import services
    from rongmei.activities.models import QuestionBank

    services.import_bank(actor=ax.operator, name="题库", data=workbook(
        ("题型", "题目", "选项A", "选项B", "答案"),
        [("单选", f"第{i}题的题目", "甲", "乙", "A") for i in range(2)]).getvalue())
    now = timezone.now()
    quiz = services.quiz_create(actor=ax.operator, title="知识竞答", attempts_per_day=5,
                                bank_id=QuestionBank.objects.get().pk, question_count=2,
                                opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
    fast, slow, twice = (make_user(nickname=n) for n in ("张快", "李慢", "王两次"))
    # (player, score, seconds): 王两次's worse attempt must not count.
    for player, score, seconds in ((slow, 100, 50), (fast, 100, 20), (twice, 50, 5),
                                   (twice, 100, 30)):
        attempt = services.attempt_start(user=player, quiz_id=quiz.pk, now=now)
        Attempt.objects.filter(pk=attempt.pk).update(
            submitted_at=now + timedelta(seconds=seconds), score=score,
            duration_ms=seconds * 1000)
    board = client.get(f"{API}/quizzes/{quiz.pk}/leaderboard").json()
    assert [(row["rank"], row["name"], row["score"], row["seconds"]) for row in board] == [
        (1, "张*", 100, 20.0), (2, "王*次", 100, 30.0), (3, "李*", 100, 50.0)]
    client.force_login(twice)
    page = client.get(f"/activities/quizzes/{quiz.pk}/").content.decode()
    assert "我的最好成绩：100分，用时30.0秒，排第2名" in page
    client.force_login(ax.people[0])  # never handed in: no rank
    assert 'data-testid="ax-my-rank"' not in client.get(f"/activities/quizzes/{quiz.pk}/") \
        .content.decode()


def test_the_script_run_on_a_record_downloaded_before_the_draw_says_why_not_a_traceback(
        client, ax, tmp_path):
    import subprocess
    import sys

    client.force_login(ax.operator)
    client.post("/admin/activities/draws/", {
        "title": "城区小学学位摇号", "quota": 1, "public_value_source": "福彩3D第2026321期",
        "public_value_on": (timezone.localdate() + timedelta(days=2)).isoformat()})
    draw = PublicDraw.objects.get()
    (tmp_path / "rongmei_draw.py").write_bytes(client.get("/draw/rongmei_draw.py").content)
    (tmp_path / "record.json").write_bytes(
        client.get(f"/activities/draws/{draw.pk}/record.json").content)
    run = subprocess.run([sys.executable, "-I", "rongmei_draw.py", "record.json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False)
    assert run.returncode == 2
    assert "还不能核验" in run.stderr and "Traceback" not in run.stderr
