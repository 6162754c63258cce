"""Write paths of 策划日历: events (meetings, festivals such as the 莲花节) and the coverages
planned for each (文字, 图片, 视频, 直播, per outlet). Learned from Superdesk's planning:
an event carries coverages; a coverage is staffed by becoming an approved topic, which then
takes assignments like any other (``dispatch.assignment_create``).

The desk (``services.NEWSDESK``) plans; every text passes the word gate (the desk, the
units and the assignees read the calendar).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.core.public_text import gate_texts
from rongmei.core.text import clean_typed
from rongmei.core.moments import local_aware
from rongmei.units.access import check_role

from .models import Coverage, CoverageKind, Event, EventKind, Topic, TopicStatus
from .services import MAX_AHEAD, NEWSDESK, clean_outlets


def _aware(moment) -> datetime:
    if not isinstance(moment, datetime):
        raise ServiceError("invalid_time", "请填写开始和结束时间", field="starts_at")
    # A time without a zone is the county's local time, as the console's form means it.
    return local_aware(moment)


def event_create(*, actor, title: str, starts_at: datetime, ends_at: datetime,
                 kind: str = EventKind.ACTIVITY, place: str = "", description: str = "",
                 now: datetime | None = None) -> Event:
    """登记事件 on the calendar. Refused: an end before the start, an event already over,
    one starting more than a year ago or starting or ending more than a year ahead, a
    blocked word."""
    check_role(actor, *NEWSDESK)
    now = now or timezone.now()
    if kind not in EventKind.values:
        raise ServiceError("invalid_kind", "请选择事件类型", field="kind")
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if ends_at <= starts_at:
        raise ServiceError("time_order", "结束时间须晚于开始时间", field="ends_at")
    if ends_at < now:
        raise ServiceError("time_past", "事件已经结束，不能再登记", field="ends_at")
    # Both ends, both ways: an event "until 9999" would sit on every day's calendar and on
    # the board for ever, and one "since 0001-01-01" (local time, before year 1 in UTC) is
    # stored by PostgreSQL but cannot be read back: every calendar and board query failed.
    if abs(starts_at - now) > MAX_AHEAD or ends_at - now > MAX_AHEAD:
        raise ServiceError("time_far", f"只能登记前后{MAX_AHEAD.days}天以内的事件",
                           field="starts_at" if abs(starts_at - now) > MAX_AHEAD else "ends_at")
    texts = {
        "title": clean_typed(title, field="title", label="事件", max_length=60),
        "place": clean_typed(place, field="place", label="地点", max_length=100, required=False),
        "description": clean_typed(description, field="description", label="说明",
                                   max_length=1000, required=False),
    }
    gate_texts(**texts)
    return Event.objects.create(kind=kind, starts_at=starts_at, ends_at=ends_at,
                                created_by=actor, **texts)


def coverage_plan(*, actor, event: Event, kind: str, outlets=(), note: str = "") -> Coverage:
    """报道计划: plan (or re-plan) one kind of output for the event and its outlets."""
    check_role(actor, *NEWSDESK)
    if kind not in CoverageKind.values:
        raise ServiceError("invalid_kind", "请选择报道形式（文字、图片、视频、直播）", field="kind")
    outlets = clean_outlets(outlets)
    note = clean_typed(note, field="note", label="报道要求", max_length=200, required=False)
    gate_texts(note=note)
    with transaction.atomic():
        coverage, _ = Coverage.objects.select_for_update().get_or_create(
            event=event, kind=kind, defaults={"outlets": outlets, "note": note})
        coverage.outlets, coverage.note = outlets, note
        coverage.save(update_fields=["outlets", "note"])
    return coverage


def coverage_staff(*, actor, coverage: Coverage) -> Topic:
    """立项: the coverage becomes an approved topic on the event's day (the desk planned it,
    so no 选题会 is needed), ready for assignments. Once per coverage."""
    check_role(actor, *NEWSDESK)
    with transaction.atomic():
        coverage = (Coverage.objects.select_for_update().select_related("event")
                    .get(pk=coverage.pk))
        if coverage.topic_id:
            raise ServiceError("already_staffed", "该报道计划已立项", status=409)
        event = coverage.event
        if event.ends_at < timezone.now():
            raise ServiceError("event_over", "事件已经结束，不能再立项", status=409)
        label = coverage.get_kind_display()
        topic = Topic.objects.create(
            title=f"{event.title}·{label}"[:60],
            angle=(coverage.note or event.description or f"{event.title}{label}报道")[:1000],
            sources=(f"策划日历：{event.title}" + (f"（{event.place}）" if event.place else ""))
            [:1000],
            outlets=coverage.outlets, planned_date=timezone.localdate(event.starts_at),
            proposed_by=actor, status=TopicStatus.APPROVED, reviewed_by=actor,
            reviewed_at=timezone.now(), review_note="策划日历立项")
        coverage.topic = topic
        coverage.save(update_fields=["topic"])
    return topic
