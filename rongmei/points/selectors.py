"""Read paths for points: balance, history, points expiring soon, today's tasks.

The H5 pages, the API and the 我的 page all read through these, so "what a resident sees"
is decided once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from .models import EarningRule, EntryKind, PointsAccount, PointsEntry, PointsLot
from .services import CHECKIN, checkin_streak, local_midnight

EXPIRING_DAYS = 30
HISTORY_MAX_LIMIT = 100


def balance(*, user) -> int:
    """The account's balance (0 for someone who has never earned)."""
    found = PointsAccount.objects.filter(user_id=user.pk).values_list("balance", flat=True)
    return next(iter(found), 0)


def entries(*, user):
    """The account's entries, newest first (a queryset, for paginators)."""
    return PointsEntry.objects.filter(account__user_id=user.pk).order_by("-created_at", "-pk")


def history(*, user, limit: int = 20, offset: int = 0) -> tuple[list[PointsEntry], int]:
    """One page of the account's entries, newest first, and how many there are in all."""
    limit = max(1, min(limit, HISTORY_MAX_LIMIT))
    offset = max(0, offset)
    found = entries(user=user)
    return list(found[offset:offset + limit]), found.count()


@dataclass(frozen=True)
class Expiring:
    expires_at: datetime
    points: int


def expiring_soon(*, user, days: int = EXPIRING_DAYS,
                  now: datetime | None = None) -> list[Expiring]:
    """Live points that expire within ``days``, summed per expiry date, soonest first."""
    now = now or timezone.now()
    rows = (PointsLot.objects
            .filter(account__user_id=user.pk, remaining__gt=0, expires_at__gt=now,
                    expires_at__lte=now + timedelta(days=days))
            .values("expires_at").annotate(points=Sum("remaining")).order_by("expires_at"))
    return [Expiring(expires_at=row["expires_at"], points=row["points"]) for row in rows]


def payable_actions() -> frozenset[str]:
    """The earning rules something installed actually pays for.

    An app that calls ``points_earn(action=X)`` declares it on its AppConfig:
    ``points_pays = ("X", ...)``. A rule no installed app pays for (a 答题 rule before any
    quiz module exists, say) is not shown to residents as a task, however it is set: a task
    that can never be completed is a broken promise. Apps are read from the app registry,
    so points imports none of them, and removing an app removes its tasks."""
    return frozenset(action for config in apps.get_app_configs()
                     for action in getattr(config, "points_pays", ()))


@dataclass(frozen=True)
class Task:
    action: str
    label: str
    points: int  # per action
    daily_cap: int  # 0: no cap
    earned: int  # today

    @property
    def done(self) -> bool:
        return bool(self.daily_cap) and self.earned >= self.daily_cap

    @property
    def percent(self) -> int:
        if not self.daily_cap:
            return 100 if self.earned else 0
        return min(100, self.earned * 100 // self.daily_cap)


@dataclass(frozen=True)
class Today:
    tasks: list[Task]
    checked_in: bool
    streak: int  # consecutive days up to today (or yesterday, when not yet checked in)
    checkin_open: bool


def today(*, user, now: datetime | None = None) -> Today:
    """Today's tasks (the county's day, Asia/Shanghai): for each active rule that some app
    pays for (``payable_actions``), the points earned from it today against its cap; and
    today's check-in with the current streak."""
    now = now or timezone.now()
    start = local_midnight(now)
    earned = dict(PointsEntry.objects
                  .filter(account__user_id=user.pk, kind=EntryKind.EARN,
                          created_at__gte=start, created_at__lt=start + timedelta(days=1))
                  .values("action").annotate(total=Sum("amount"))
                  .values_list("action", "total"))
    rules = list(EarningRule.objects.filter(is_active=True, action__in=payable_actions()))
    tasks = [Task(action=r.action, label=r.label, points=r.points, daily_cap=r.daily_cap,
                  earned=earned.get(r.action, 0) or 0) for r in rules]
    local_day: date = timezone.localtime(now).date()
    checked_in = CHECKIN in earned
    streak = checkin_streak(user=user, today=local_day if checked_in
                            else local_day - timedelta(days=1))
    return Today(tasks=tasks, checked_in=checked_in, streak=streak,
                 checkin_open=any(r.action == CHECKIN for r in rules))

