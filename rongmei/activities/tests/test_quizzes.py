"""Question banks from Excel (all or nothing), attempts with the server's clock and key,
the 答题 points rule, and the leaderboard."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.activities import services
from rongmei.activities.models import Attempt, Question, QuestionBank, Quiz

from .conftest import API, api_post, workbook

pytestmark = pytest.mark.django_db

HEADER = ("题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分类", "难度")
GOOD = [
    ("单选", "融媒莲乡客户端属于哪个县？", "莲乡县", "荷塘县", "白水县", "上塘县", "A", "", "县情", 1),
    ("多选", "下列哪些是志愿服务的内容？", "助老", "环保", "宣讲", "打牌", "ABC", "", "文明", 2),
    ("判断", "遇到火灾应乘坐电梯逃生。", "", "", "", "", "错误", "应走楼梯", "安全", 1),
]


def import_bank(client, operator, rows, name="县情题库"):
    client.force_login(operator)
    return client.post("/admin/activities/quizzes/", {
        "action": "import", "name": name, "file": workbook(HEADER, rows)})


def test_bad_rows_are_reported_in_chinese_and_nothing_is_imported(client, ax):
    response = import_bank(client, ax.operator, [
        GOOD[0],
        ("填空", "这题型不存在吗？", "甲", "乙", "", "", "A", "", "", 1),
        ("单选", "答案字母超出选项？", "甲", "乙", "", "", "C", "", "", 1),
        ("多选", "多选只给一个答案？", "甲", "乙", "丙", "", "A", "", "", 9),
        ("判断", "判断题答案写错", "", "", "", "", "也许", "", "", 1),
    ])
    assert response.status_code == 200
    errors = response.context["report"].errors
    assert errors[0].startswith("第3行：") and "题型“填空”" in errors[0]
    assert errors[1].startswith("第4行：") and "答案“C”" in errors[1]
    assert errors[2].startswith("第5行：") and "多选题至少两个答案" in errors[2]
    assert "难度应为1至5" in errors[2]
    assert errors[3].startswith("第6行：") and "判断题答案" in errors[3]
    assert not QuestionBank.objects.exists() and not Question.objects.exists()
    assert "导入失败" in response.content.decode()
    # A resident cannot import at all.
    from .conftest import old_user

    client.force_login(old_user())
    client.post("/admin/activities/quizzes/", {
        "action": "import", "name": "题库", "file": workbook(HEADER, GOOD)})
    assert not Question.objects.exists()


@pytest.fixture
def quiz(client, ax):
    from rongmei.points.models import EarningRule

    # The 答题 rule the points data migration creates (a transactional test may flush it).
    EarningRule.objects.get_or_create(action="quiz", defaults={
        "label": "答题", "points": 5, "daily_cap": 20})
    assert import_bank(client, ax.operator, GOOD).status_code == 302
    bank = QuestionBank.objects.get()
    assert bank.questions.count() == 3
    now = timezone.now()
    return services.quiz_create(actor=ax.operator, title="县情有奖答题", bank_id=bank.pk,
                                question_count=3, time_limit_seconds=60, attempts_per_day=2,
                                pass_score=60, opens_at=now - timedelta(hours=1),
                                closes_at=now + timedelta(days=1))


def _right_answer(attempt_json, question):
    """The positions (as shown in this attempt) of the question's right options."""
    shown = next(q for q in attempt_json["questions"] if q["id"] == question.pk)["options"]
    return [shown.index(question.options[i]) for i in question.answer]


def test_the_key_never_reaches_the_client_and_a_full_paper_scores_and_pays(client, ax, quiz):
    from rongmei.points.models import PointsEntry

    player = ax.people[0]
    started = api_post(client, player, f"/quizzes/{quiz.pk}/attempts")
    assert started.status_code == 200
    body = started.json()
    assert len(body["questions"]) == 3 and body["score"] is None
    raw = started.content.decode()
    assert "answer" not in raw and "correct\": true" not in raw and "explanation" not in raw
    for question in body["questions"]:
        assert set(question) == {"id", "kind", "kind_label", "text", "options"}
    attempt = Attempt.objects.get()
    page = client.get(f"/activities/attempts/{attempt.pk}/").content.decode()
    assert "融媒莲乡客户端属于哪个县" in page
    assert "应走楼梯" not in page and "data-correct" not in page and "answer" not in page
    questions = Question.objects.in_bulk(attempt.questions)
    answers = {str(pk): _right_answer(body, q) for pk, q in questions.items()}
    done = api_post(client, player, f"/attempts/{attempt.pk}/submit", {"answers": answers})
    assert done.status_code == 200 and done.json()["score"] == 100
    assert done.json()["points_paid"] > 0
    # Handed in while the quiz is open: right or wrong per question, never the key.
    assert all(q["is_correct"] and q["answer"] is None and q["explanation"] is None
               for q in done.json()["review"])
    assert "应走楼梯" not in done.content.decode()
    assert PointsEntry.objects.filter(action="quiz", account__user=player).count() == 1
    again = api_post(client, player, f"/attempts/{attempt.pk}/submit", {"answers": answers})
    assert again.status_code == 409 and again.json()["code"] == "already_submitted"
    # The rank: a second player scores less and ranks below; the page shows each their rank.
    other = ax.people[1]
    second = api_post(client, other, f"/quizzes/{quiz.pk}/attempts").json()
    api_post(client, other, f"/attempts/{second['id']}/submit", {"answers": {}})
    board = client.get(f"{API}/quizzes/{quiz.pk}/leaderboard").json()
    assert [row["score"] for row in board] == [100, 0]
    client.force_login(other)
    mine = client.get(f"/activities/attempts/{second['id']}/").content.decode()
    assert "第2名" in mine

    # A prize draw among the qualifying players: the list is taken from the quiz at sealing.
    from rongmei.activities.models import PublicDraw
    from rongmei.core import draw as engine

    client.force_login(ax.operator)
    client.post("/admin/activities/draws/", {
        "title": "答题抽奖", "quota": 1, "quiz_id": quiz.pk, "public_value_source": "体彩排列3",
        "public_value_on": (timezone.localdate() + timedelta(days=1)).isoformat()})
    prize = PublicDraw.objects.get(quiz=quiz)
    client.post(f"/admin/activities/draws/{prize.pk}/", {"action": "close"})
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        client.force_login(ax.operator)
        client.post(f"/admin/activities/draws/{prize.pk}/", {"action": "run",
                                                             "public_value": "07"})
    prize.refresh_from_db()
    code = services.quiz_entrant_code(quiz.pk, player.pk)
    # Keyed: neither the account id nor the same code as in another quiz's list.
    assert re.fullmatch(r"Q[0-9A-F]{10}", code) and code != f"Q{player.pk:07d}"
    assert code != services.quiz_entrant_code(quiz.pk + 1, player.pk)
    assert list(prize.entrants.values_list("code", flat=True)) == [code]
    assert prize.winners == [code]
    # The winner hears it and sees their number and the result on the quiz page; the
    # console shows the winner's account phone masked, to check at the prize desk.
    from rongmei.notices.models import Notice

    assert Notice.objects.filter(user=player, kind="activities_prize").count() == 1
    assert not Notice.objects.filter(kind="activities_prize").exclude(user=player).exists()
    client.force_login(player)
    page = client.get(f"/activities/quizzes/{quiz.pk}/").content.decode()
    assert code in page and "恭喜，您已中签" in page
    client.force_login(other)
    assert "恭喜" not in client.get(f"/activities/quizzes/{quiz.pk}/").content.decode()
    client.force_login(ax.operator)
    console = client.get(f"/admin/activities/draws/{prize.pk}/").content.decode()
    assert code in console and player.phone not in console
    assert f"{player.phone[:3]}****{player.phone[-4:]}" in console
    record = client.get(f"/activities/draws/{prize.pk}/record.json").json()
    assert all(ok for _, ok, _ in engine.verify(record))


def test_late_answers_and_foreign_questions_are_refused_and_nothing_changes(client, ax, quiz):
    player = ax.people[0]
    body = api_post(client, player, f"/quizzes/{quiz.pk}/attempts").json()
    attempt = Attempt.objects.get(pk=body["id"])
    qid = attempt.questions[0]
    foreign = api_post(client, player, f"/attempts/{attempt.pk}/submit",
                       {"answers": {"999999": [0]}})
    assert foreign.status_code == 400 and foreign.json()["code"] == "question_not_in_attempt"
    assert "不在本次试卷" in foreign.json()["message"]
    bad = api_post(client, player, f"/attempts/{attempt.pk}/submit", {"answers": {str(qid): [7]}})
    assert bad.status_code == 400 and bad.json()["field"] == "answers"
    # Someone else's attempt is not theirs to hand in.
    stranger = api_post(client, ax.people[1], f"/attempts/{attempt.pk}/submit",
                        {"answers": {str(qid): [0]}})
    assert stranger.status_code == 404
    # The server's clock: past the deadline, refused.
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=5),
        deadline=timezone.now() - timedelta(seconds=10))
    late = api_post(client, player, f"/attempts/{attempt.pk}/submit", {"answers": {str(qid): [0]}})
    assert late.status_code == 409 and late.json()["code"] == "attempt_expired"
    assert "不计分" in late.json()["message"]
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.answers == {} and attempt.score == 0
    # Attempts per person per day: two, then refused.
    assert api_post(client, player, f"/quizzes/{quiz.pk}/attempts").status_code == 200
    over = api_post(client, player, f"/quizzes/{quiz.pk}/attempts")
    assert over.status_code == 409 and over.json()["code"] == "over_limit"
    assert Attempt.objects.filter(user=player).count() == 2
    assert Quiz.objects.count() == 1 and json.dumps(over.json(), ensure_ascii=False).count("次") >= 1
