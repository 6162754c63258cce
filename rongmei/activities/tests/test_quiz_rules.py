"""抽题规则 (category × difficulty × count) set in the console and held on every paper, and
the review a player gets after handing in (the key and 解析 only once the quiz has closed)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.activities.models import Attempt, Question, QuestionBank, Quiz

from .conftest import API, api_post, workbook

pytestmark = pytest.mark.django_db

HEADER = ("题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分类", "难度")
BANK = (
    [("单选", f"县情基础题{i}", "甲", "乙", "丙", "丁", "A", f"县情基础解析{i}", "县情", 1)
     for i in range(4)]
    + [("单选", f"县情提高题{i}", "甲", "乙", "丙", "丁", "B", f"县情提高解析{i}", "县情", 2)
       for i in range(3)]
    + [("判断", f"安全判断题{i}", "", "", "", "", "错误", f"安全解析{i}", "安全", 1)
       for i in range(3)]
)
QUIZZES = "/admin/activities/quizzes/"


def bank(client, operator):
    client.force_login(operator)
    assert client.post(QUIZZES, {"action": "import", "name": "规则题库",
                                 "file": workbook(HEADER, BANK)}).status_code == 302
    return QuestionBank.objects.get(name="规则题库")


def create(client, operator, bank_id, rules, **extra):
    now = timezone.localtime()
    client.force_login(operator)
    return client.post(QUIZZES, {
        "action": "quiz", "title": "规则答题", "bank_id": bank_id, "question_count": 10,
        "rules": rules, "time_limit_seconds": 120, "attempts_per_day": 20, "pass_score": 60,
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"), **extra})


def test_every_paper_holds_the_rules_mix(client, ax):
    questions = bank(client, ax.operator)
    answer = create(client, ax.operator, questions.pk, "县情 1 2\n县情 ２ 1\n安全 不限 2")
    assert answer.status_code == 302, answer.context["quiz_form"].errors
    quiz = Quiz.objects.get()
    assert quiz.question_count == 5 and quiz.rules == [
        {"category": "县情", "difficulty": 1, "count": 2},
        {"category": "县情", "difficulty": 2, "count": 1},
        {"category": "安全", "difficulty": 0, "count": 2}]
    listing = client.get(QUIZZES).content.decode()
    assert "县情·难度1×2；县情·难度2×1；安全·不限难度×2" in listing
    mixes = set()
    for _ in range(8):
        paper = api_post(client, ax.people[0], f"/quizzes/{quiz.pk}/attempts")
        assert paper.status_code == 200, paper.json()
        ids = [q["id"] for q in paper.json()["questions"]]
        assert len(set(ids)) == 5
        drawn = Question.objects.filter(pk__in=ids)
        assert Counter((q.category, q.difficulty) for q in drawn) == {
            ("县情", 1): 2, ("县情", 2): 1, ("安全", 1): 2}
        mixes.add(frozenset(ids))
    assert len(mixes) > 1, "papers are drawn at random within each rule"


BAD_RULES = [
    ("县情 不限 2\n县情 1 1", "可能抽到同一道题"),
    ("不限 1 1\n安全 不限 1", "可能抽到同一道题"),
    ("县情 2 4", "县情、难度2的题目只有3道"),
    ("县情 二 3", "难度须为1至5"),
    ("县情 ½ 1", "难度须为1至5"),
    ("县情 1", "三项"),
    ("县情 6 1", "难度须为1至5"),
    ("县情 1 0", "题数须在1至100之间"),
    ("县情 1 99999999999999999999999", "题数须为数字"),
]


def test_bad_rules_are_refused_in_chinese_and_no_quiz_is_made(client, ax):
    questions = bank(client, ax.operator)
    for rules, message in BAD_RULES:
        answer = create(client, ax.operator, questions.pk, rules)
        assert answer.status_code == 200, rules
        assert message in answer.content.decode(), rules
    assert not Quiz.objects.exists()


def test_the_review_gives_right_or_wrong_and_the_key_only_after_the_close(client, ax):
    questions = bank(client, ax.operator)
    create(client, ax.operator, questions.pk, "安全 不限 2")
    quiz = Quiz.objects.get()
    player = ax.people[0]
    paper = api_post(client, player, f"/quizzes/{quiz.pk}/attempts").json()
    first, second = paper["questions"]
    # 判断: 正确 is position 0 and 错误 position 1 (two options are never shuffled).
    done = api_post(client, player, f"/attempts/{paper['id']}/submit",
                    {"answers": {str(first["id"]): [1], str(second["id"]): [0]}}).json()
    assert [(q["is_correct"], q["picked"]) for q in done["review"]] == [(True, [1]), (False, [0])]
    assert all(q["answer"] is None and q["explanation"] is None for q in done["review"])
    client.force_login(player)
    page = client.get(f"/activities/attempts/{paper['id']}/").content.decode()
    assert "答对" in page and "答错" in page and "活动结束" in page and "安全解析" not in page
    # Someone else's attempt is not theirs to read.
    client.force_login(ax.people[1])
    assert client.get(f"{API}/attempts/{paper['id']}").status_code == 404

    with time_machine.travel(quiz.closes_at + timedelta(minutes=1)):
        client.force_login(player)
        later = client.get(f"{API}/attempts/{paper['id']}").json()
        assert [q["answer"] for q in later["review"]] == [[1], [1]]
        assert all(q["explanation"].startswith("安全解析") for q in later["review"])
        page = client.get(f"/activities/attempts/{paper['id']}/").content.decode()
        assert "解析：安全解析" in page and "（正确答案）" in page
        mine = client.get(f"/activities/quizzes/{quiz.pk}/").content.decode()
        assert f"/activities/attempts/{paper['id']}/" in mine and "查看答案与解析" in mine
    assert Attempt.objects.get().score == 50


# --- findings of the adversarial review ------------------------------------------------------

def test_a_closed_quiz_keeps_the_key_while_another_quiz_on_its_bank_is_open(client, ax):
    """A short quiz closing must not publish the answers of a long one on the same bank."""
    questions = bank(client, ax.operator)
    create(client, ax.operator, questions.pk, "安全 不限 2")
    short = Quiz.objects.get()
    create(client, ax.operator, questions.pk, "安全 不限 2")
    long = Quiz.objects.exclude(pk=short.pk).get()
    Quiz.objects.filter(pk=long.pk).update(closes_at=short.closes_at + timedelta(days=7))
    player = ax.people[0]
    paper = api_post(client, player, f"/quizzes/{short.pk}/attempts").json()
    api_post(client, player, f"/attempts/{paper['id']}/submit", {"answers": {}})
    with time_machine.travel(short.closes_at + timedelta(minutes=1)):
        client.force_login(player)
        review = client.get(f"{API}/attempts/{paper['id']}").json()["review"]
        assert all(q["answer"] is None and q["explanation"] is None for q in review)
        page = client.get(f"/activities/attempts/{paper['id']}/").content.decode()
        assert "安全解析" not in page and "其他答题活动还在进行" in page
    with time_machine.travel(short.closes_at + timedelta(days=8)):
        client.force_login(player)
        review = client.get(f"{API}/attempts/{paper['id']}").json()["review"]
        assert all(q["answer"] == [1] for q in review)


def test_odd_rule_numbers_a_category_beside_rules_and_a_zero_pass_mark_are_refused(client, ax):
    questions = bank(client, ax.operator)
    for rules, message in [("安全 0 1", "难度须为1至5"), ("安全 1 ²", "题数须为数字"),
                           ("安全 １ １", None)]:
        answer = create(client, ax.operator, questions.pk, rules)
        if message is None:
            assert answer.status_code == 302
            assert Quiz.objects.get().rules == [
                {"category": "安全", "difficulty": 1, "count": 1}]
        else:
            assert answer.status_code == 200 and message in answer.content.decode(), rules
    answer = create(client, ax.operator, questions.pk, "安全 1 1", category="县情")
    assert answer.status_code == 200 and "请把“只抽此分类”留空" in answer.content.decode()
    answer = create(client, ax.operator, questions.pk, "安全 1 1", pass_score=0)
    assert answer.status_code == 200 and Quiz.objects.count() == 1
