"""活动 in the resident app: contests (register, submit, gallery, entry pages, vote,
results), prize quizzes (take one, see the rank) and public draws (record and verification).

Every write goes through ``services``; a refusal is shown as the service's Chinese message
and nothing changes. The quiz page never carries which option is right.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.modules import module_is_on

from . import selectors, services
from .api import DEVICE_COOKIE, device_of
from .models import Attempt, DrawStatus, Entry, Registration


def _contest_or_404(pk):
    found = selectors.contest(pk)
    if found is None:
        raise Http404("评选活动不存在")
    return found


def home_view(request):
    return render(request, "activities/home.html", {
        "contests": selectors.contests()[:20], "quizzes": selectors.quizzes()[:20],
        "live_quizzes": selectors.live_quizzes()[:10],
        "draws": selectors.draws()[:20], "now": timezone.now()})


# The gallery's order picker: (value, label), the first the default.
GALLERY_SORTS = (("number", "按编号"), ("votes", "按票数"))


def contest_view(request, pk):
    contest = _contest_or_404(pk)
    now = timezone.now()
    q, sort = request.GET.get("q", ""), request.GET.get("sort", "number")
    user = request.user
    registration = mine = None
    if user.is_authenticated:
        registration = Registration.objects.filter(contest=contest, user=user).first()
        mine = Entry.objects.filter(contest=contest, author=user).first()
    entries = list(selectors.gallery(contest, q=q, sort=sort, now=now)[:200])
    for entry in entries:
        entry.shown_votes = selectors.public_count(entry, now)
    stage, stage_label = contest.stage(now)
    return render(request, "activities/contest.html", {
        "contest": contest, "entries": entries, "q": q, "sort": sort, "stage": stage,
        "sorts": GALLERY_SORTS,
        "count_note": selectors.count_note(contest, now),
        "stage_label": stage_label, "registration": registration, "mine": mine,
        "fields": contest.registration_fields(),
        "invalidations": contest.invalidations.select_related("entry")[:50],
        "results_public": selectors.results_public(contest, now)})


@login_required
@require_POST
def register_view(request, pk):
    contest = _contest_or_404(pk)
    try:
        services.registration_create(user=request.user, contest_id=contest.pk,
                                     answers=request.POST.dict(), files=request.FILES.dict())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "报名成功，请提交作品")
    return redirect("activities:contest", pk=contest.pk)


@login_required
@require_POST
def submit_view(request, pk):
    contest = _contest_or_404(pk)
    try:
        services.entry_submit(user=request.user, contest_id=contest.pk,
                              title=request.POST.get("title", ""),
                              text=request.POST.get("text", ""),
                              author_name=request.POST.get("author_name", ""),
                              photo=request.FILES.get("photo"),
                              video=request.FILES.get("video"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "作品已提交，审核通过后公开展示")
    return redirect("activities:contest", pk=contest.pk)


def entry_view(request, pk):
    entry = selectors.public_entry(pk)
    if entry is None:
        raise Http404("作品不存在或尚未通过审核")
    stage, stage_label = entry.contest.stage(timezone.now())
    response = render(request, "activities/entry.html", {
        "entry": entry, "contest": entry.contest, "stage": stage, "stage_label": stage_label,
        "shown_votes": selectors.public_count(entry),
        "count_note": selectors.count_note(entry.contest),
        "share_url": request.build_absolute_uri()})
    if not request.COOKIES.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_hex(16), max_age=3 * 365 * 86400,
                            httponly=True, samesite="Lax")
    return response


@login_required
@require_POST
def vote_view(request, pk):
    try:
        services.vote_cast(user=request.user, entry_id=pk, ip=client_ip(request),
                           device_id=device_of(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "投票成功，感谢参与")
    return redirect("activities:entry", pk=pk)


def results_view(request, pk):
    contest = _contest_or_404(pk)
    public = selectors.results_public(contest)
    return render(request, "activities/results.html", {
        "contest": contest, "public": public, "vote_weight": 100 - contest.judge_weight,
        "rows": selectors.results(contest) if public else []})


# --- quizzes ------------------------------------------------------------------------------------

def _quiz_or_404(pk):
    quiz = selectors.quizzes().filter(pk=pk).first()
    if quiz is None:
        raise Http404("答题活动不存在")
    return quiz


def quiz_view(request, pk):
    quiz = _quiz_or_404(pk)
    mine = selectors.my_rank(quiz, request.user) if request.user.is_authenticated else None
    attempts = (Attempt.objects.filter(quiz=quiz, user=request.user)
                .order_by("-started_at")[:20] if request.user.is_authenticated else [])
    prize_draws = []
    my_code = None
    draws = list(selectors.draws().filter(quiz=quiz))
    if draws and any(a.submitted_at and a.score >= max(quiz.pass_score, 1) for a in attempts):
        my_code = services.quiz_entrant_code(quiz.pk, request.user.pk)
    for found in draws:  # where this player stands in each: 入围 once sealed, then 中签
        sealed = found.status != DrawStatus.OPEN
        listed = bool(my_code) and sealed and found.entrants.filter(code=my_code).exists()
        prize_draws.append({"draw": found, "sealed": sealed, "listed": listed,
                            "won": listed and my_code in found.winners})
    return render(request, "activities/quiz.html", {
        "quiz": quiz, "board": selectors.leaderboard(quiz, limit=20), "mine": mine,
        "attempts": attempts, "prize_draws": prize_draws, "my_code": my_code,
        "released": services.key_released(quiz), "now": timezone.now()})


def live_quiz_view(request, pk):
    """直播答题's own page: the current question, its countdown, the reveal and the ranking
    (livequiz.js polls the state; the live room shows the same card from its channel)."""
    quiz = selectors.live_quizzes().filter(pk=pk).first()
    if quiz is None:
        raise Http404("直播答题不存在")
    live_url = ""
    if quiz.live_room_id and module_is_on("live"):
        live_url = reverse("live:room", args=[quiz.live_room_id])
    return render(request, "activities/live_quiz.html", {
        "quiz": quiz, "state": services.live_state(quiz), "live_url": live_url})


@login_required
@require_POST
def quiz_start_view(request, pk):
    quiz = _quiz_or_404(pk)
    try:
        attempt = services.attempt_start(user=request.user, quiz_id=quiz.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("activities:quiz", pk=quiz.pk)
    return redirect("activities:attempt", pk=attempt.pk)


@login_required
def attempt_view(request, pk):
    attempt = (Attempt.objects.select_related("quiz").filter(pk=pk, user=request.user)
               .first())
    if attempt is None:
        raise Http404("答题记录不存在")
    if request.method == "POST":
        answers = {}
        for qid in attempt.questions:
            picked = request.POST.getlist(f"q{qid}")
            if picked:
                try:
                    answers[str(qid)] = [int(i) for i in picked]
                except ValueError:
                    answers[str(qid)] = [-1]
        try:
            services.attempt_submit(user=request.user, attempt_id=attempt.pk, answers=answers)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("activities:attempt", pk=attempt.pk)
    now = timezone.now()
    rank = (selectors.my_rank(attempt.quiz, request.user)
            if attempt.submitted_at is not None else None)
    return render(request, "activities/attempt.html", {
        "attempt": attempt, "quiz": attempt.quiz,
        "paper": services.attempt_paper(attempt) if attempt.submitted_at is None else [],
        "seconds_left": max(int((attempt.deadline - now).total_seconds()), 0),
        "expired": now > attempt.deadline, "rank": rank,
        "review": services.attempt_review(attempt, now),
        "closed": now >= attempt.quiz.closes_at,
        "released": services.key_released(attempt.quiz, now)})


# --- public draws -------------------------------------------------------------------------------

def _draw_or_404(pk):
    found = selectors.draws().filter(pk=pk).first()
    if found is None:
        raise Http404("摇号不存在")
    return found


def draw_view(request, pk):
    draw = _draw_or_404(pk)
    return render(request, "activities/draw.html", {
        "draw": draw, "winners": selectors.draw_results(draw),
        "entrant_count": draw.entrants.count()})


def draw_record_view(request, pk):
    draw = _draw_or_404(pk)
    response = JsonResponse(selectors.draw_record(draw), json_dumps_params={
        "ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-record.json"'
    return response

