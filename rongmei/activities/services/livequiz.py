"""直播答题: during a broadcast the host pushes one question at a time.

The server keeps the clock and the key, as for a prize quiz: each pushed question carries
the server's ``pushed_at`` and ``closes_at``; an answer after ``closes_at`` (plus the
network's grace) is refused; the right option leaves the server only when the host reveals
it, which is refused while the window is open. One answer per person per question, held by
the database. Questions reach viewers through the live room's channel (``core.broadcast``,
when the quiz is tied to a 直播间) and through the quiz's own page (polling its state).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from rongmei.core.broadcast import to_live_room
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.masking import mask_name
from rongmei.core.modules import module_is_on

from ..models import (
    LiveQuiz,
    LiveQuizAnswer,
    LiveQuizItem,
    LiveQuizStatus,
    Question,
    QuestionBank,
    QuestionKind,
)
from .common import check_operator, gate_texts
from .quizzes import LATE_GRACE, QUIZ

KIND = "quiz"  # the live channel's message kind (live.fanout.QUIZ)


def _live_room_check(room_id: int | None) -> None:
    if room_id is None:
        return
    if not module_is_on("live"):
        raise ServiceError("live_off", "本县未开通直播，不能关联直播间", field="live_room_id")
    if not apps.get_model("live", "LiveRoom").objects.filter(pk=room_id).exists():
        raise ServiceError("live_room_not_found", "所填直播间不存在", field="live_room_id")


def live_quiz_create(*, actor, title: str, bank_id: int, live_room_id: int | None = None,
                     answer_seconds: int = 20, pass_score: int = 60) -> LiveQuiz:
    check_operator(actor)
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ServiceError("title_required", "请填写2至60个字的答题名称", field="title")
    bank = QuestionBank.objects.filter(pk=bank_id).first()
    if bank is None:
        raise ServiceError("bank_not_found", "所选题库不存在", field="bank_id")
    if not bank.questions.exists():
        raise ServiceError("bank_empty", "所选题库还没有题目", field="bank_id")
    if not 5 <= answer_seconds <= 300:
        raise ServiceError("invalid_answer_seconds", "每题作答时间须在5至300秒之间",
                           field="answer_seconds")
    if not 0 <= pass_score <= 100:
        raise ServiceError("invalid_pass_score", "最低正确率须在0至100之间", field="pass_score")
    _live_room_check(live_room_id)
    gate_texts(title=title)
    return LiveQuiz.objects.create(title=title, bank=bank, live_room_id=live_room_id,
                                   answer_seconds=answer_seconds, pass_score=pass_score,
                                   created_by=actor)


def _locked(live_quiz_id: int) -> LiveQuiz:
    quiz = LiveQuiz.objects.select_for_update().filter(pk=live_quiz_id).first()
    if quiz is None:
        raise NotFoundError("直播答题不存在")
    return quiz


def _current(quiz: LiveQuiz) -> LiveQuizItem | None:
    return (LiveQuizItem.objects.filter(live_quiz=quiz).select_related("question")
            .order_by("-position").first())


def _urls(quiz: LiveQuiz) -> dict:
    return {"page_url": reverse("activities:live-quiz", args=[quiz.pk]),
            "answer_url": f"/api/v1/activities/live-quizzes/{quiz.pk}/answers",
            "script": static("activities/livequiz.js"),
            "style": static("activities/activities.css")}


def _announce(quiz: LiveQuiz, phase: str, msg_id: str, **data) -> None:
    """Into the quiz's 直播间 channel on commit, when it has one (a quiz played without a
    room — the demo's past one among them — builds no message at all)."""
    if quiz.live_room_id:
        to_live_room(quiz.live_room_id, KIND, {"phase": phase, "quiz": quiz.pk,
                                               "title": quiz.title, **_urls(quiz), **data},
                     msg_id=msg_id)


def _question_data(item: LiveQuizItem) -> dict:
    """What every viewer sees of a pushed question: never which option is right."""
    question = item.question
    return {"item": item.pk, "position": item.position, "kind": question.kind,
            "kind_label": question.get_kind_display(), "text": question.text,
            "options": list(question.options), "pushed_at": item.pushed_at.timestamp(),
            "closes_at": item.closes_at.timestamp()}


def _result_data(item: LiveQuizItem) -> dict:
    """After the reveal: the key, the explanation and how many chose each option."""
    question = item.question
    counts = [0] * len(question.options)
    for choice, in item.answers.values_list("choice"):
        for index in choice:
            if 0 <= index < len(counts):
                counts[index] += 1
    return {"answer": sorted(question.answer), "explanation": question.explanation,
            "counts": counts, "answered": item.answers.count(),
            "right": item.answers.filter(correct=True).count()}


def live_question_push(*, actor, live_quiz_id: int, question_id: int | None = None,
                       now: datetime | None = None) -> LiveQuizItem:
    """Push the next question (the bank's next one not yet pushed, or ``question_id``)."""
    check_operator(actor)
    now = now or timezone.now()
    with transaction.atomic():
        quiz = _locked(live_quiz_id)
        if quiz.status == LiveQuizStatus.FINISHED:
            raise ServiceError("live_quiz_finished", "本场直播答题已结束", status=409)
        current = _current(quiz)
        if current is not None and now < current.closes_at:
            raise ServiceError("window_open", "上一题的作答时间还没结束", status=409)
        candidates = live_questions_left(quiz)
        if question_id is not None:
            question = candidates.filter(pk=question_id).first()
            if question is None:
                raise ServiceError("question_unavailable",
                                   "该题不在题库中，或已在直播答题中推送过（答案已公开）",
                                   field="question_id")
        else:
            question = candidates.order_by("pk").first()
            if question is None:
                raise ServiceError("bank_used_up", "题库中的题目已全部在直播答题中推送过",
                                   status=409)
        item = LiveQuizItem.objects.create(
            live_quiz=quiz, question=question, position=(current.position if current else 0) + 1,
            pushed_at=now, closes_at=now + timedelta(seconds=quiz.answer_seconds))
        if quiz.status != LiveQuizStatus.RUNNING:
            quiz.status = LiveQuizStatus.RUNNING
            quiz.save(update_fields=["status"])
        _announce(quiz, "question", f"quiz-{item.pk}-q", question=_question_data(item))
        return item


def live_answer(*, user, live_quiz_id: int, item_id: int, choice: list[int],
                now: datetime | None = None) -> LiveQuizAnswer:
    """A viewer's answer to the pushed question ``item_id`` (option indexes as shown, which
    for a live quiz is the bank's own order: everyone sees the host's screen)."""
    now = now or timezone.now()
    item = (LiveQuizItem.objects.select_related("question", "live_quiz")
            .filter(pk=item_id, live_quiz_id=live_quiz_id).first())
    if item is None:
        if not LiveQuiz.objects.filter(pk=live_quiz_id).exists():
            raise NotFoundError("直播答题不存在")
        raise ServiceError("question_not_in_quiz", "这道题不在本场直播答题中", field="item_id")
    if now > item.closes_at + LATE_GRACE:
        raise ServiceError("answer_closed", "本题作答时间已结束", status=409)
    question = item.question
    if (not isinstance(choice, list) or not choice
            or any(not isinstance(i, int) or isinstance(i, bool) for i in choice)
            or any(not 0 <= i < len(question.options) for i in choice)
            or len(set(choice)) != len(choice)):
        raise ServiceError("invalid_answer", "请选择题目中的选项", field="choice")
    if question.kind != QuestionKind.MULTIPLE and len(choice) != 1:
        raise ServiceError("invalid_answer", f"{question.get_kind_display()}只能选一个选项",
                           field="choice")
    picked = sorted(choice)
    try:
        with transaction.atomic():
            return LiveQuizAnswer.objects.create(
                item=item, user=user, choice=picked, correct=picked == sorted(question.answer),
                elapsed_ms=max(int((now - item.pushed_at).total_seconds() * 1000), 0),
                answered_at=now)
    except IntegrityError:
        raise ServiceError("already_answered", "这道题你已经作答过了", status=409) from None


def live_reveal(*, actor, live_quiz_id: int, now: datetime | None = None) -> LiveQuizItem:
    """Reveal the current question's answer — only once its window has closed."""
    check_operator(actor)
    now = now or timezone.now()
    with transaction.atomic():
        quiz = _locked(live_quiz_id)
        item = _current(quiz)
        if item is None:
            raise ServiceError("nothing_pushed", "还没有推送题目", status=409)
        if now < item.closes_at + LATE_GRACE:
            raise ServiceError("window_open", "作答时间还没结束，不能公布答案", status=409)
        if item.revealed_at is None:
            item.revealed_at = now
            item.save(update_fields=["revealed_at"])
        _announce(quiz, "reveal", f"quiz-{item.pk}-r", question=_question_data(item),
                  result=_result_data(item))
        return item


def live_quiz_finish(*, actor, live_quiz_id: int, now: datetime | None = None) -> LiveQuiz:
    """End the quiz: players at or above the pass rate earn the 答题 rule once."""
    from rongmei.points.services import points_earn

    check_operator(actor)
    now = now or timezone.now()
    with transaction.atomic():
        quiz = _locked(live_quiz_id)
        if quiz.status == LiveQuizStatus.FINISHED:
            return quiz
        current = _current(quiz)
        if current is not None and now < current.closes_at + LATE_GRACE:
            raise ServiceError("window_open", "作答时间还没结束，请稍后再结束答题", status=409)
        quiz.status = LiveQuizStatus.FINISHED
        quiz.finished_at = now
        quiz.save(update_fields=["status", "finished_at"])
        total = LiveQuizItem.objects.filter(live_quiz=quiz).count()
        if total:
            for row in _scores(quiz):
                if 100 * row["right"] >= quiz.pass_score * total and row["right"] > 0:
                    points_earn(user=row["user"], action=QUIZ, source=f"livequiz:{quiz.pk}",
                                key=f"{QUIZ}:live:{quiz.pk}:{row['user'].pk}", now=now)
        _announce(quiz, "finished", f"quiz-{quiz.pk}-end",
                  leaderboard=live_leaderboard(quiz, limit=10))
        return quiz


def _scores(quiz: LiveQuiz) -> list[dict]:
    """Each player's right answers (most first), then the time they took (least first).

    Until the quiz ends only revealed questions count: the ranking is public while a window
    is open, and a rise in someone's count would tell the key before the reveal."""
    right = Q(correct=True)
    if quiz.status != LiveQuizStatus.FINISHED:
        right &= Q(item__revealed_at__isnull=False)
    rows = (LiveQuizAnswer.objects.filter(item__live_quiz=quiz).values("user")
            .annotate(right=Count("pk", filter=right), ms=Sum("elapsed_ms"))
            .order_by("-right", "ms", "user"))
    users = get_user_model().objects.in_bulk([r["user"] for r in rows])
    return [{"user": users[r["user"]], "right": r["right"], "ms": r["ms"] or 0}
            for r in rows if r["user"] in users]


def live_leaderboard(quiz: LiveQuiz, limit: int = 50) -> list[dict]:
    rows = _scores(quiz)
    return [{"rank": rank, "name": mask_name(getattr(row["user"], "nickname", "") or "居民"),
             "correct": row["right"], "seconds": round(row["ms"] / 1000, 1)}
            for rank, row in enumerate(rows[:limit] if limit else rows, start=1)]


def live_state(quiz: LiveQuiz, *, now: datetime | None = None) -> dict:
    """What the quiz's page shows now (the same for everyone, so it can be cached briefly)."""
    now = now or timezone.now()
    item = _current(quiz)
    state = {"quiz": quiz.pk, "title": quiz.title, "status": quiz.status,
             "status_label": quiz.get_status_display(), "server_time": now.timestamp(),
             "answer_seconds": quiz.answer_seconds, "pushed": item.position if item else 0,
             **_urls(quiz), "question": None, "result": None, "leaderboard": []}
    if item is not None:
        state["question"] = _question_data(item)
        if item.revealed_at is not None:
            state["result"] = _result_data(item)
    if quiz.status == LiveQuizStatus.FINISHED:
        state["leaderboard"] = live_leaderboard(quiz, limit=10)
    return state


def my_live_answers(quiz: LiveQuiz, user) -> dict[int, list[int]]:
    """The viewer's own answers, item → choice (their page shows what they picked)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(LiveQuizAnswer.objects.filter(item__live_quiz=quiz, user=user)
                .values_list("item_id", "choice"))


def live_questions_left(quiz: LiveQuiz):
    """The bank's questions no live quiz has pushed yet: once pushed, a question's key is
    public (the reveal, or the final ranking), so in another live quiz on the same bank it
    would be known before that quiz's reveal."""
    pushed = LiveQuizItem.objects.filter(question__bank_id=quiz.bank_id).values("question_id")
    return Question.objects.filter(bank_id=quiz.bank_id).exclude(pk__in=pushed)
