"""What residents and the console read: galleries, results, leaderboards, draw records."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
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
    PublicDraw,
    Quiz,
)


def contests():
    return Contest.objects.filter(is_published=True)


def contest(contest_id) -> Contest | None:
    return contests().filter(pk=contest_id).first()


def gallery(contest: Contest, *, q: str = "", sort: str = "number"):
    """Approved entries, searchable by number, title or author; sorted by number or votes."""
    entries = Entry.objects.filter(contest=contest, status=EntryStatus.APPROVED)
    q = (q or "").strip()[:40]
    if q:
        match = Q(title__icontains=q) | Q(author_name__icontains=q)
        if q.isdigit() and len(q) < 10:
            match |= Q(number=int(q))
        entries = entries.filter(match)
    return entries.order_by("-votes", "number") if sort == "votes" else entries.order_by("number")


def public_entry(entry_id) -> Entry | None:
    return (Entry.objects.select_related("contest")
            .filter(pk=entry_id, status=EntryStatus.APPROVED, contest__is_published=True)
            .first())


def shown_votes(contest: Contest, votes: int) -> int:
    """Public counts as the operator set them: exact, or rounded down to tens."""
    if contest.count_display == CountDisplay.ROUNDED:
        return votes // 10 * 10
    return votes


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


def quizzes():
    return Quiz.objects.select_related("bank")


def leaderboard(quiz: Quiz, limit: int = 50) -> list[dict]:
    """Each person's best attempt: score (high first), then time (fast first)."""
    best: dict[int, Attempt] = {}
    attempts = (Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
                .select_related("user").order_by("-score", "duration_ms", "submitted_at"))
    for attempt in attempts.iterator():
        if attempt.user_id not in best:
            best[attempt.user_id] = attempt
    rows = []
    for rank, attempt in enumerate(best.values(), start=1):
        name = getattr(attempt.user, "nickname", "") or "居民"
        rows.append({"rank": rank, "user_id": attempt.user_id, "name": mask_name(name),
                     "score": attempt.score, "seconds": round((attempt.duration_ms or 0) / 1000, 1)})
    return rows[:limit] if limit else rows


def my_rank(quiz: Quiz, user) -> dict | None:
    for row in leaderboard(quiz, limit=0):
        if row["user_id"] == user.pk:
            return row
    return None


def draws():
    return PublicDraw.objects.all()


def draw_record(draw: PublicDraw) -> dict:
    """The published record, in the shape ``rongmei_draw.py record.json`` reads: the seed
    only once drawn, the list only once sealed."""
    data = {"formula": draw_engine.FORMULA, "title": draw.title, "commitment": draw.commitment,
            "public_source": draw.public_value_source, "quota": draw.quota,
            "status": draw.status}
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
