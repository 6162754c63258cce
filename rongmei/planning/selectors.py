"""Reads of 策划指挥: the tip desk, topic lists by day or week, a person's assignments, and
the dispatch board's figures."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from rongmei.core.modules import module_is_on

from .models import HOLDING, Assignment, AssignmentStatus, Tip, TipStatus, Topic, TopicStatus


def tip_desk(*, status: str = TipStatus.NEW):
    tips = Tip.objects.select_related("sender", "unit", "topic").prefetch_related("photos",
                                                                                  "videos")
    return tips.filter(status=status) if status else tips


def my_tips(user):
    if not user.is_authenticated:
        return Tip.objects.none()
    return Tip.objects.filter(sender=user, source="resident").select_related("topic")


def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    # The week of 9999-12-31 ends on the last day there is (was an OverflowError).
    return start, start + timedelta(days=min(6, (date.max - start).days))


def topics_between(start: date, end: date):
    return (Topic.objects.filter(planned_date__range=(start, end))
            .exclude(status=TopicStatus.MERGED)
            .select_related("proposed_by", "unit")
            .prefetch_related("assignments__assignee", "assignments__resource")
            .order_by("planned_date", "status", "pk"))


def topics_for(user, start: date, end: date):
    """The plan as ``user`` may read it: the newsroom (desk and reporters) sees it all; a
    unit's 分端管理员 sees the topics of its units and its own proposals."""
    from rongmei.core.roles import REPORTER, UNIT_ADMIN
    from rongmei.units.access import has_role, unit_scope

    from .services import NEWSDESK

    topics = topics_between(start, end)
    if has_role(user, REPORTER, *NEWSDESK):
        return topics
    return topics.filter(Q(proposed_by=user) | Q(unit__in=unit_scope(user, UNIT_ADMIN)))


def my_assignments(user):
    if not user.is_authenticated:
        return Assignment.objects.none()
    return (Assignment.objects.filter(assignee=user)
            .exclude(status=AssignmentStatus.CANCELLED)
            .select_related("topic", "story").prefetch_related("updates")
            .order_by("status", "starts_at"))


def recent_stories_of(user, limit: int = 20) -> list:
    """The stories a person created lately: the choices offered when handing in."""
    from rongmei.news.models import StoryPage

    return list(StoryPage.objects.filter(owner=user).only("pk", "title")
                .order_by("-pk")[:limit])


def board(*, now=None) -> dict:
    """The 指挥调度 board: today's topics, assignments by state (with who is where), stories
    in review and published today, live rooms on air. Plain data, for the page and its
    polling JSON."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    topics = [{"id": t.pk, "title": t.title, "status": t.get_status_display(),
               "outlets": t.outlet_labels}
              for t in Topic.objects.filter(planned_date=today)
              .exclude(status=TopicStatus.MERGED).order_by("status", "pk")[:50]]
    counts = dict(Assignment.objects.filter(starts_at__date__lte=today, ends_at__date__gte=today)
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    on_job = [{"who": a.who, "duty": a.get_duty_display(), "topic": a.topic.title,
               "place": a.place, "status": a.get_status_display(),
               "until": timezone.localtime(a.ends_at).strftime("%H:%M"),
               "overdue": a.ends_at < now}
              for a in Assignment.objects.filter(
                  status__in=HOLDING,  # people offered or on the job, cars and kit booked
                  starts_at__lte=now + timedelta(hours=12))
              .select_related("topic", "assignee", "resource").order_by("ends_at")[:50]]
    return {
        "at": timezone.localtime(now).strftime("%H:%M:%S"),
        "topics": topics,
        "assignments": [{"status": value, "label": label, "count": counts.get(value, 0)}
                        for value, label in AssignmentStatus.choices],
        "on_job": on_job,
        "tips_new": Tip.objects.filter(status=TipStatus.NEW).count(),
        "events": [{"id": e.pk, "title": e.title, "place": e.place,
                    "starts": timezone.localtime(e.starts_at).strftime("%m-%d %H:%M"),
                    "coverages": "、".join(c.get_kind_display() for c in e.coverages.all())}
                   for e in events_between(today, today)[:20]],
        **_stories(today),
        "live_rooms": _live_rooms(),
    }


def _stories(today: date) -> dict:
    from wagtail.models import WorkflowState

    from rongmei.news.models import StoryPage

    in_review = (WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS,
                                              base_content_type__app_label="wagtailcore")
                 .values_list("object_id", flat=True))
    review = [{"id": p.pk, "title": p.title} for p in
              StoryPage.objects.filter(pk__in=[int(i) for i in in_review if str(i).isdigit()])
              .only("pk", "title").order_by("-pk")[:20]]
    published = [{"id": p.pk, "title": p.title, "url": p.url or ""} for p in
                 StoryPage.objects.live().filter(first_published_at__date=today)
                 .order_by("-first_published_at")[:20]]
    return {"in_review": review, "published_today": published}


def _live_rooms() -> list[dict]:
    """Rooms on air, while 直播 is on (read by model name: planning does not need live)."""
    if not module_is_on("live"):
        return []
    from django.apps import apps

    room = apps.get_model("live", "LiveRoom")
    return [{"id": r.pk, "title": r.title} for r in room.objects.filter(state="live")[:10]]


def events_between(start: date, end: date):
    """策划日历: the events under way on any day from ``start`` to ``end``, with their
    coverages and the topics staffing them."""
    from .models import Event

    return (Event.objects.filter(starts_at__date__lte=end, ends_at__date__gte=start)
            .prefetch_related("coverages__topic").order_by("starts_at", "pk"))
