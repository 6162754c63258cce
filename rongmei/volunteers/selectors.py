"""Reads for 志愿者之家: listings, the leader's roster, honour boards, the 点单 board and
the data of a service certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from .models import (
    Activity,
    ActivityStatus,
    HoursStatus,
    OrderStatus,
    ServiceOrder,
    Signup,
    SignupStatus,
    Team,
    TeamMember,
    Volunteer,
)

OPEN_ORDER = (OrderStatus.ORDERED, OrderStatus.DISPATCHED, OrderStatus.ACCEPTED)


def upcoming_activities(*, now: datetime | None = None):
    now = now or timezone.now()
    return (Activity.objects.filter(status=ActivityStatus.PUBLISHED, ends_at__gt=now)
            .select_related("team", "team__unit").order_by("starts_at", "pk"))


def led_activities(teams, *, now: datetime | None = None):
    now = now or timezone.now()
    return (Activity.objects.filter(team__in=teams, ends_at__gt=now - timedelta(days=30))
            .exclude(status=ActivityStatus.CANCELLED).select_related("team")
            .order_by("-starts_at", "-pk")[:100])


def activity(pk: int) -> Activity | None:
    return Activity.objects.select_related("team", "team__unit").filter(pk=pk).first()


def my_signup(user, activity_obj) -> Signup | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (Signup.objects.filter(activity=activity_obj, volunteer__user=user)
            .exclude(status=SignupStatus.CANCELLED).first())


def waiting_position(signup: Signup) -> int:
    return Signup.objects.filter(activity_id=signup.activity_id, status=SignupStatus.WAITING,
                                 created_at__lte=signup.created_at).count()


def roster(activity_obj):
    return (Signup.objects.filter(activity=activity_obj)
            .exclude(status=SignupStatus.CANCELLED)
            .select_related("volunteer").order_by("status", "created_at", "pk"))


def my_signups(user):
    return (Signup.objects.filter(volunteer__user=user).exclude(status=SignupStatus.CANCELLED)
            .select_related("activity", "activity__team").order_by("-activity__starts_at"))


def active_teams():
    return (Team.objects.filter(is_active=True).select_related("unit")
            .annotate(size=Count("members", filter=Q(members__status="active")))
            .order_by("pk"))


def pending_members(teams):
    return (TeamMember.objects.filter(team__in=teams, status="pending")
            .select_related("team", "volunteer").order_by("created_at"))


def honour_people(limit: int = 20):
    return Volunteer.objects.filter(total_minutes__gt=0).order_by("-total_minutes", "pk")[:limit]


def honour_teams(limit: int = 20):
    return (Team.objects.filter(is_active=True)
            .annotate(minutes=Sum("activities__signups__minutes",
                                  filter=Q(activities__signups__hours_status=HoursStatus.CONFIRMED)))
            .filter(minutes__gt=0).order_by("-minutes", "pk")[:limit])


@dataclass(frozen=True)
class CertificateLine:
    activity: str
    team: str
    day: date
    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


def certificate_lines(volunteer: Volunteer, start: date | None = None,
                      end: date | None = None) -> list[CertificateLine]:
    """Confirmed service of ``volunteer`` in [start, end] (local dates), oldest first."""
    rows = (Signup.objects.filter(volunteer=volunteer, hours_status=HoursStatus.CONFIRMED)
            .select_related("activity", "activity__team").order_by("activity__starts_at"))
    lines = []
    for signup in rows:
        day = timezone.localtime(signup.activity.starts_at).date()
        if (start and day < start) or (end and day > end):
            continue
        lines.append(CertificateLine(signup.activity.title, signup.activity.team.name, day,
                                     signup.minutes))
    return lines


def order_board(*, now: datetime | None = None) -> dict:
    """Counts per team and per township, with the orders past their step's deadline."""
    now = now or timezone.now()
    orders = list(ServiceOrder.objects.select_related("team", "area", "item"))
    by_team: dict[str, dict] = {}
    by_town: dict[str, dict] = {}

    def blank():
        return {"total": 0, "open": 0, "overdue": 0, "done": 0, "ratings": []}

    for order in orders:
        town = _township_name(order.area)
        rows = [by_town.setdefault(town, blank())]
        if order.team is not None:
            rows.append(by_team.setdefault(order.team.name, blank()))
        for row in rows:
            row["total"] += 1
            if order.status in OPEN_ORDER:
                row["open"] += 1
                if order.due_at < now:
                    row["overdue"] += 1
            elif order.status in (OrderStatus.DONE, OrderStatus.RATED):
                row["done"] += 1
            if order.rating:
                row["ratings"].append(order.rating)

    def finish(table):
        return [{"name": name, **{k: v for k, v in row.items() if k != "ratings"},
                 "rating": round(sum(row["ratings"]) / len(row["ratings"]), 1)
                 if row["ratings"] else None}
                for name, row in sorted(table.items(), key=lambda kv: -kv[1]["total"])]

    return {"teams": finish(by_team), "townships": finish(by_town),
            "overdue": [o for o in orders if o.status in OPEN_ORDER and o.due_at < now],
            "waiting": [o for o in orders if o.status == OrderStatus.ORDERED]}


def _township_name(unit) -> str:
    if unit.depth > 2:
        parent = unit.get_parent()
        return parent.name if parent else unit.name
    return unit.name


def average_rating(team: Team):
    return ServiceOrder.objects.filter(team=team, rating__isnull=False).aggregate(
        value=Avg("rating"))["value"]
