"""节假日安排: operators (and 问政专员) enter each year's holidays and make-up working days
(调休) by hand or from an Excel sheet; an entered year replaces the ``chinese_calendar``
package's data for that year. Entering or changing a year recomputes the deadlines already
running through it — later only: a date promised to a citizen or a unit never moves earlier
— and logs each move on its case."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.excel import read_sheet
from rongmei.core.roles import DIRECTOR, OPERATOR, WENZHENG_HANDLER
from rongmei.units.access import check_role

from .. import workdays
from ..holidays import DayKind, HolidayDay, HolidaySchedule
from ..models import Case, CaseDeadline, DeadlineStep, EventKind
from . import notify
from .common import clean_text, transition

CALENDAR_ROLES = (OPERATOR, WENZHENG_HANDLER, DIRECTOR)
COLUMNS = ("日期", "类型", "名称")
KIND_WORDS = {
    "放假": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "休息": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY, "holiday": DayKind.HOLIDAY,
    "上班": DayKind.WORKDAY, "班": DayKind.WORKDAY, "调休上班": DayKind.WORKDAY,
    "补班": DayKind.WORKDAY, "workday": DayKind.WORKDAY,
}
MIN_YEAR, MAX_YEAR = 2000, 2100
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _check(actor) -> None:
    check_role(actor, *CALENDAR_ROLES, message="节假日安排由运营人员和问政专员维护")


def parse_day(value, *, field: str = "day") -> date:
    """A date as people type it: 2027-01-01, 2027/1/1, 2027年1月1日 (or a date cell)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        match = _DATE.match(str(value or "").strip())
        try:
            day = date(*(int(g) for g in match.groups())) if match else None
        except ValueError:
            day = None
        if day is None:
            raise ServiceError("invalid_date", f"日期“{value}”格式不正确，请填写如 2027-01-01",
                               field=field)
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ServiceError("invalid_date", f"年份应在{MIN_YEAR}至{MAX_YEAR}之间", field=field)
    return day


def parse_kind(value, *, field: str = "kind") -> str:
    kind = KIND_WORDS.get(str(value or "").strip().lower())
    if kind is None:
        raise ServiceError("invalid_kind", f"类型“{value}”不正确，请填写“放假”或“上班”",
                           field=field)
    return kind


def holiday_import(*, actor, data: bytes) -> dict:
    """Replace the schedule of every year the sheet names (columns 日期, 类型 放假/上班,
    名称). Nothing is written unless every row is right."""
    _check(actor)
    workbook, header, rows, value = read_sheet(data, COLUMNS, field="file")
    try:
        missing = [c for c in ("日期", "类型") if c not in header]
        if missing:
            raise ServiceError("missing_columns", f"表格缺少“{'”“'.join(missing)}”列",
                               field="file")
        days: dict[date, tuple[str, str]] = {}
        errors = []
        for number, row in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            try:
                day = parse_day(value(row, "日期"))
                kind = parse_kind(value(row, "类型"))
                name = value(row, "名称")[:20]
            except ServiceError as exc:
                errors.append(f"第{number}行：{exc.message}")
                continue
            if day in days and days[day][0] != kind:
                errors.append(f"第{number}行：{day:%Y-%m-%d}重复且类型不同")
            days[day] = (kind, name)
    finally:
        workbook.close()
    if errors:
        raise ServiceError("invalid_rows", "；".join(errors[:5])
                           + (f"；另有{len(errors) - 5}处错误" if len(errors) > 5 else ""),
                           field="file")
    if not days:
        raise ServiceError("empty", "表格中没有日期", field="file")
    years = sorted({d.year for d in days})
    with transaction.atomic():
        for year in years:
            schedule = _schedule(actor, year)
            schedule.days.all().delete()
            HolidayDay.objects.bulk_create(
                HolidayDay(schedule=schedule, day=d, kind=k, name=n)
                for d, (k, n) in sorted(days.items()) if d.year == year)
        moved = _changed(actor, years)
    return {"years": years, "days": len(days), "moved": moved}


def _schedule(actor, year: int) -> HolidaySchedule:
    schedule, _ = HolidaySchedule.objects.select_for_update().get_or_create(year=year)
    schedule.updated_by, schedule.updated_at = actor, timezone.now()
    schedule.save(update_fields=["updated_by", "updated_at"])
    return schedule


def _changed(actor, years) -> int:
    workdays.calendar_changed()
    notify.resolve(*(notify.calendar_key(y) for y in years))
    return recompute_deadlines(years=years, actor=actor)


@transaction.atomic
def holiday_day_save(*, actor, day, kind: str, name: str = "") -> HolidayDay:
    """Add or change one day of a year's schedule (the year counts as entered from then)."""
    _check(actor)
    day = parse_day(day)
    kind = parse_kind(kind) if kind not in DayKind.values else kind
    name = clean_text(name, field="name", label="节日名称", max_length=20, required=False,
                      scan=False)
    schedule = _schedule(actor, day.year)
    entry, _ = HolidayDay.objects.update_or_create(
        day=day, defaults={"schedule": schedule, "kind": kind, "name": name})
    _changed(actor, [day.year])
    return entry


@transaction.atomic
def holiday_day_delete(*, actor, day_id) -> None:
    _check(actor)
    try:
        entry = HolidayDay.objects.select_related("schedule").get(pk=int(day_id))
    except (HolidayDay.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("该日期不在节假日安排中") from None
    year = entry.schedule.year
    schedule = _schedule(actor, year)
    entry.delete()
    if not schedule.days.exists():  # the last day gone: the year is no longer entered
        schedule.delete()
    _changed(actor, [year])


@transaction.atomic
def holiday_year_reset(*, actor, year) -> int:
    """Drop a year's entered schedule: the year goes back to the built-in calendar when the
    package knows it, else to "not entered" (Monday–Friday, and the console warns).
    Running deadlines are recomputed (later only, as on every change). Returns the number
    of days removed."""
    _check(actor)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ServiceError("invalid_year", "年份不正确", field="year") from None
    schedule = HolidaySchedule.objects.select_for_update().filter(year=year).first()
    if schedule is None:
        raise NotFoundError(f"{year}年没有录入的节假日安排")
    removed = schedule.days.count()
    schedule.delete()
    _changed(actor, [year])
    return removed


def recompute_deadlines(*, years, actor=None) -> int:
    """Running deadlines whose period reaches into ``years``, counted again on the calendar
    as it is now; moved only when that makes them later. A breach or reminder recorded for
    a date that is no longer the deadline is taken back. Each case gets one log entry.
    Call inside the transaction that changed the calendar. Returns how many moved."""
    calendar = workdays.current()
    now = timezone.now()
    first = timezone.make_aware(datetime(min(years), 1, 1))
    last = timezone.make_aware(datetime(max(years) + 1, 1, 1))
    order = {DeadlineStep.CLOSE: 1}
    running = sorted(
        CaseDeadline.objects.select_for_update(of=("self",))
        .filter(met_at=None, cancelled_at=None, fixed=False, due_at__gte=first,
                created_at__lt=last),
        key=lambda d: (d.case_id, order.get(d.step, 0), d.pk))
    moves: dict[int, list] = {}
    for deadline in running:
        start, days = deadline.created_at, deadline.working_days + deadline.extended_days
        if deadline.step == DeadlineStep.CLOSE:
            reply = (CaseDeadline.objects.filter(case_id=deadline.case_id,
                                                 step=DeadlineStep.REPLY, cancelled_at=None)
                     .order_by("-pk").first())
            if reply is not None:
                start, days = reply.due_at, deadline.working_days
        due = calendar.due_after(start, days)
        if due <= deadline.due_at:
            continue  # never earlier
        before = deadline.due_at
        deadline.due_at = due
        fields = ["due_at"]
        if deadline.reminded_at and timezone.localtime(due).date() > timezone.localdate(now):
            deadline.reminded_at = None
            fields.append("reminded_at")
        if deadline.breached_at and now <= due:  # the breach was an artefact of the calendar
            deadline.breached_at = deadline.escalated_at = None
            fields += ["breached_at", "escalated_at"]
        deadline.save(update_fields=fields)
        notify.resolve(notify.deadline_key(deadline.pk))
        moves.setdefault(deadline.case_id, []).append(
            {"deadline": deadline.pk, "step": deadline.step,
             "from": f"{timezone.localtime(before):%Y-%m-%d}",
             "to": f"{timezone.localtime(due):%Y-%m-%d}"})
    labels = dict(DeadlineStep.choices)
    for case_id, changes in moves.items():
        case = Case.objects.select_for_update().get(pk=case_id)
        transition(case, to=None, kind=EventKind.DEADLINES_RECOMPUTED, actor=actor,
                   public=False, tell_citizen=False, data={"changes": changes},
                   note="；".join(f"{labels[c['step']]}期限由{c['from']}顺延至{c['to']}"
                                 for c in changes))
    return sum(len(c) for c in moves.values())
