"""Findings of the adversarial review of 直播答题, each through the door a user came in by."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.activities.models import LiveQuiz, LiveQuizItem, QuestionBank

from .conftest import API, api_post, make_contest
from .test_quizzes import GOOD, import_bank

pytestmark = pytest.mark.django_db

CONSOLE = "/admin/activities/live-quizzes/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def live(client, ax):
    """A live quiz on the three-question bank, created and its first question pushed by the
    operator through the console."""
    import_bank(client, ax.operator, GOOD)
    bank = QuestionBank.objects.get()
    client.post(CONSOLE, {"title": "党史直播答题", "bank_id": bank.pk, "answer_seconds": 20,
                          "pass_score": 60})
    quiz = LiveQuiz.objects.get()
    client.post(f"{CONSOLE}{quiz.pk}/", {"action": "push"})
    item = LiveQuizItem.objects.get(live_quiz=quiz)
    client.logout()
    return quiz, item


def test_the_leaderboard_does_not_tell_who_was_right_before_the_reveal(client, ax, live):
    """Three sock puppets pick A, B and C; the public ranking, read while the window is still
    open, must not say which of them was right (that is the key, before the reveal)."""
    quiz, item = live
    for index, person in enumerate(ax.people):
        assert api_post(client, person, f"/live-quizzes/{quiz.pk}/answers",
                        {"item_id": item.pk, "choice": [index]}).status_code == 200
    client.logout()
    board = client.get(f"{API}/live-quizzes/{quiz.pk}/leaderboard")
    assert board.status_code == 200
    assert all(row["correct"] == 0 for row in board.json())
    state = client.get(f"{API}/live-quizzes/{quiz.pk}").json()
    assert state["result"] is None and state["leaderboard"] == []
    # Once revealed, the question counts in the ranking.
    with time_machine.travel(item.closes_at + timedelta(seconds=3), tick=False):
        client.force_login(ax.operator)
        client.post(f"{CONSOLE}{quiz.pk}/", {"action": "reveal"})
        client.logout()
        board = client.get(f"{API}/live-quizzes/{quiz.pk}/leaderboard").json()
    assert sorted(row["correct"] for row in board) == [0, 0, 1]


def test_a_question_another_live_quiz_revealed_is_not_pushed_again(client, ax, live):
    """The first quiz's reveal made its question's key public: a second live quiz on the same
    bank must not push it (its key would be known before this quiz's reveal)."""
    first, item = live
    client.force_login(ax.operator)
    client.post(CONSOLE, {"title": "第二场直播答题", "bank_id": first.bank_id,
                          "answer_seconds": 20, "pass_score": 60})
    second = LiveQuiz.objects.exclude(pk=first.pk).get()
    console = client.get(f"{CONSOLE}{second.pk}/").content.decode()
    assert item.question.text[:10] not in console  # not offered in the 下一题 list
    forced = client.post(f"{CONSOLE}{second.pk}/",
                         {"action": "push", "question_id": item.question_id}, follow=True)
    assert "该题不在题库中，或已在直播答题中推送过（答案已公开）" in messages_of(forced)
    client.post(f"{CONSOLE}{second.pk}/", {"action": "push"})
    pushed = LiveQuizItem.objects.get(live_quiz=second)
    assert pushed.question_id != item.question_id


def test_a_superscript_digit_as_question_id_is_not_a_500(client, ax, live):
    quiz, item = live
    client.force_login(ax.operator)
    with time_machine.travel(item.closes_at + timedelta(seconds=3), tick=False):
        response = client.post(f"{CONSOLE}{quiz.pk}/", {"action": "push", "question_id": "²"})
    assert response.status_code == 302
    assert LiveQuizItem.objects.filter(live_quiz=quiz).count() == 2


def test_a_superscript_digit_in_the_gallery_search_is_not_a_500(client, ax):
    contest = make_contest(ax.operator)
    for path in (f"{API}/contests/{contest.pk}/entries?q=²",
                 f"/activities/contests/{contest.pk}/?q=²"):
        assert client.get(path).status_code == 200, path


def test_a_question_read_back_from_the_rooms_poll_comes_with_the_servers_now(
        client, ax, django_capture_on_commit_callbacks):
    """A viewer who opens the room 15 s after the push reads the question from the poll: the
    message's own t is its publish time, so the card's countdown needs the poll's ``t``
    (else it shows the whole window while the server has 5 s left)."""
    from rongmei.live import fanout
    from rongmei.live.services.rooms import room_create
    from rongmei.tests_support import make_user

    room = room_create(actor=make_user("editor"), title="知识竞赛决赛直播",
                       starts_at=timezone.now() + timedelta(hours=1))
    import_bank(client, ax.operator, GOOD)
    client.post(CONSOLE, {"title": "党史直播答题", "bank_id": QuestionBank.objects.get().pk,
                          "live_room_id": room.pk, "answer_seconds": 20, "pass_score": 60})
    quiz = LiveQuiz.objects.get()
    fanout.local_broker.clear()  # earlier tests' rooms had the same ids
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"{CONSOLE}{quiz.pk}/", {"action": "push"})
        item = LiveQuizItem.objects.get()
        client.logout()
        with time_machine.travel(item.pushed_at + timedelta(seconds=15), tick=False):
            poll = client.get(f"/live/{room.pk}/poll").json()
        (message,) = [m for m in poll["priority"] if m["kind"] == "quiz"]
        assert message["question"]["item"] == item.pk and "result" not in message
        assert poll["t"] == pytest.approx(item.pushed_at.timestamp() + 15, abs=0.01)
        assert message["question"]["closes_at"] - poll["t"] == pytest.approx(5, abs=0.01)
    finally:
        fanout.local_broker.clear()
