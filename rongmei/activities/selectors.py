"""What residents and the console read: galleries, results, leaderboards, draw records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q
from django.utils import timezone

from rongmei.core import draw as draw_engine
from rongmei.core.masking import mask_name

from .models import (
    Attempt,
    Contest,
    CountDisplay,
    DrawStatus,
    Entry,
    EntryStatus,
    JudgeScore,
    LiveQuiz,
    PublicDraw,
    Quiz,
)


def contests():
    return Contest.objects.filter(is_published=True)


def contest(contest_id) -> Contest | None:
    return contests().filter(pk=contest_id).first()


def gallery(contest: Contest, *, q: str = "", sort: str = "number", now=None):
    """Approved entries, searchable by number, title or author; sorted by number or by the
    count the public sees (``public_count``): rounded counts sort as rounded (ties by
    number), refreshed ones by the last snapshot, hidden ones by number — the order must
    not tell what the shown figures do not."""
    refresh_public_counts(contest, now)
    entries = public_entries().filter(contest=contest)
    q = (q or "").strip()[:40]
    if q:
        match = Q(title__icontains=q) | Q(author_name__icontains=q)
        if q.isdecimal() and len(q) < 10:
            match |= Q(number=int(q))
        entries = entries.filter(match)
    if sort != "votes":
        return entries.order_by("number")
    basis = _count_basis(contest, now)
    if basis is None:
        return entries.order_by("number")
    if contest.count_display == CountDisplay.ROUNDED and not results_public(contest, now):
        return entries.order_by(ExpressionWrapper(F("votes") / contest.count_round_to,
                                                  output_field=IntegerField()).desc(), "number")
    return entries.order_by(f"-{basis}", "number")


def public_entries():
    """Approved entries whose video, if any, the media pipeline has made ready."""
    from rongmei.media.models import MediaStatus

    return (Entry.objects.filter(status=EntryStatus.APPROVED)
            .filter(Q(video__isnull=True) | Q(video__status=MediaStatus.READY))
            .select_related("video"))


def public_entry(entry_id) -> Entry | None:
    """One public entry; its ``votes`` include those admitted in Redis and not yet stored by
    the drain (services.votes), so a resident who just voted sees their vote counted."""
    from .services.votes import waiting_votes

    entry = (public_entries().select_related("contest")
             .filter(pk=entry_id, contest__is_published=True).first())
    if entry is None:
        return None
    if entry.contest.count_display == CountDisplay.DELAYED:
        refresh_public_counts(entry.contest)
        entry.refresh_from_db(fields=["public_votes"])
    entry.votes += waiting_votes(entry.pk)
    return entry


def _count_basis(contest: Contest, now=None) -> str | None:
    """The entry field the public count comes from, or None while it is hidden."""
    if contest.count_display == CountDisplay.EXACT or results_public(contest, now):
        return "votes"
    if contest.count_display == CountDisplay.HIDDEN:
        return None
    if contest.count_display == CountDisplay.DELAYED:
        return "public_votes"
    return "votes"


def public_count(entry: Entry, now=None) -> int | None:
    """An entry's count as the operator set the contest to show it: exact; rounded down to
    tens or hundreds; the snapshot refreshed every N minutes (``refresh_public_counts``);
    or None (hidden until the results). Exact for everyone once the results are public."""
    contest = entry.contest
    basis = _count_basis(contest, now)
    if basis is None:
        return None
    value = getattr(entry, basis)
    if basis == "votes" and contest.count_display == CountDisplay.ROUNDED \
            and not results_public(contest, now):
        return value // contest.count_round_to * contest.count_round_to
    return value


def count_note(contest: Contest, now=None) -> str:
    """What residents are told about the figure they see ("" when it is exact)."""
    if contest.count_display == CountDisplay.EXACT or results_public(contest, now):
        return ""
    if contest.count_display == CountDisplay.HIDDEN:
        return "票数在结果公布后显示"
    if contest.count_display == CountDisplay.DELAYED:
        return f"票数每{contest.count_refresh_minutes}分钟更新"
    return f"票数取整到{'百位' if contest.count_round_to == 100 else '十位'}显示"


def refresh_public_counts(contest: Contest, now=None) -> None:
    """For a contest whose counts are refreshed every N minutes: publish the current counts
    when the snapshot is older than N minutes. The snapshot is a cache, so it is filled by
    whoever reads it stale: one conditional update of the contest decides who (the others
    keep the old snapshot a moment longer), then one update of its entries."""
    if contest.count_display != CountDisplay.DELAYED:
        return
    now = now or timezone.now()
    last = contest.counts_refreshed_at
    if last is not None and now - last < timedelta(minutes=contest.count_refresh_minutes):
        return
    claimed = Contest.objects.filter(pk=contest.pk, counts_refreshed_at=last) \
        .update(counts_refreshed_at=now)
    if claimed:
        Entry.objects.filter(contest=contest).update(public_votes=F("votes"))
    contest.counts_refreshed_at = now


def results(contest: Contest) -> list[dict]:
    """Ranked entries: public votes (as a share of the best) weighted with judges' scores."""
    entries = list(gallery(contest))
    top = max((e.votes for e in entries), default=0) or 1
    weight = Decimal(contest.judge_weight) / 100
    rows = []
    for entry in entries:
        vote_part = Decimal(entry.votes) * 100 / top
        judge = entry.judge_score if entry.judge_score is not None else Decimal(0)
        total = (vote_part * (1 - weight) + judge * weight).quantize(Decimal("0.01"))
        rows.append({"entry": entry, "votes": entry.votes, "judge_score": entry.judge_score,
                     "total": total})
    rows.sort(key=lambda r: (-r["total"], -r["votes"], r["entry"].number or 0))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def results_public(contest: Contest, now=None) -> bool:
    return (now or timezone.now()) >= contest.results_at


def judged_contests(user):
    """The contests ``user`` is named a judge of, with how many finalists each has."""
    finalist = Q(entries__finalist=True, entries__status=EntryStatus.APPROVED)
    return (Contest.objects.filter(judges__user=user)
            .annotate(finalist_count=Count("entries", filter=finalist))
            .order_by("-results_at"))


def finalists_for(contest: Contest, judge) -> list[Entry]:
    """A contest's finalists in number order, each with ``my_score``: this judge's own score
    (others' scores are not shown to a judge)."""
    mine = dict(JudgeScore.objects.filter(entry__contest=contest, judge=judge)
                .values_list("entry_id", "score"))
    entries = list(Entry.objects.filter(contest=contest, status=EntryStatus.APPROVED,
                                        finalist=True).order_by("number"))
    for entry in entries:
        entry.my_score = mine.get(entry.pk)
    return entries


def quizzes():
    return Quiz.objects.select_related("bank")


BOARD_ORDER = ("-score", "duration_ms", "submitted_at", "pk")


def _best_attempts(quiz: Quiz):
    """Each person's best submitted attempt (score high first, then time fast first), picked
    by the database: a public page must not read every attempt of a popular quiz."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    return (Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
            .annotate(place=Window(RowNumber(), partition_by=[F("user_id")],
                                   order_by=[F("score").desc(), F("duration_ms").asc(),
                                             F("submitted_at").asc(), F("pk").asc()]))
            .filter(place=1))


def _board_row(rank: int, attempt: Attempt) -> dict:
    name = getattr(attempt.user, "nickname", "") or "居民"
    return {"rank": rank, "user_id": attempt.user_id, "name": mask_name(name),
            "score": attempt.score, "seconds": round((attempt.duration_ms or 0) / 1000, 1)}


def leaderboard(quiz: Quiz, limit: int = 50) -> list[dict]:
    """Each person's best attempt: score (high first), then time (fast first)."""
    best = _best_attempts(quiz).select_related("user").order_by(*BOARD_ORDER)
    return [_board_row(rank, attempt)
            for rank, attempt in enumerate(best[:limit] if limit else best, start=1)]


def my_rank(quiz: Quiz, user) -> dict | None:
    """``user``'s row of the board: their best attempt, ranked after everyone whose best
    comes first — that is, everyone with some attempt that comes before it."""
    mine = (Attempt.objects.filter(quiz=quiz, user=user, submitted_at__isnull=False)
            .select_related("user").order_by(*BOARD_ORDER).first())
    if mine is None:
        return None
    ahead = (Q(score__gt=mine.score)
             | Q(score=mine.score, duration_ms__lt=mine.duration_ms)
             | Q(score=mine.score, duration_ms=mine.duration_ms,
                 submitted_at__lt=mine.submitted_at)
             | Q(score=mine.score, duration_ms=mine.duration_ms,
                 submitted_at=mine.submitted_at, pk__lt=mine.pk))
    before = (Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False).filter(ahead)
              .exclude(user=user).values("user_id").distinct().count())
    return _board_row(before + 1, mine)


def live_quizzes():
    return LiveQuiz.objects.all()


def draws():
    return PublicDraw.objects.all()


def draw_record(draw: PublicDraw) -> dict:
    """The published record, in the shape ``rongmei_draw.py record.json`` reads: the seed
    only once drawn, the list only once sealed."""
    data = {"formula": draw_engine.FORMULA, "title": draw.title, "commitment": draw.commitment,
            "public_source": draw.public_value_source,
            "public_draw_on": draw.public_value_on.isoformat() if draw.public_value_on else None,
            "quota": draw.quota, "status": draw.status}
    if draw.status != DrawStatus.OPEN:
        data.update({"entries": list(draw.entrants.order_by("code")
                                     .values_list("code", flat=True)),
                     "entries_digest": draw.entries_digest})
    else:
        data["entry_count"] = draw.entrants.count()
    if draw.status == DrawStatus.DRAWN:
        data.update({"seed": draw.seed, "public_value": draw.public_value,
                     "winners": list(draw.winners)})
    return data


def draw_results(draw: PublicDraw) -> list[dict]:
    """Winners in draw order with masked names."""
    if draw.status != DrawStatus.DRAWN:
        return []
    names = dict(draw.entrants.values_list("code", "name"))
    return [{"order": i, "code": code, "name": mask_name(names.get(code, ""))}
            for i, code in enumerate(draw.winners, start=1)]
