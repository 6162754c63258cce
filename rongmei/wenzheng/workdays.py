"""Working days on the Chinese holiday calendar, with make-up working days (调休).

Where a year's schedule comes from, first that applies:

1. the operators' 节假日安排 (``HolidaySchedule``, entered in the console or from Excel) —
   a year with at least one entered day; an emptied or reset year falls through to 2./3.;
2. the ``chinese_calendar`` package (the installed release knows up to 2026);
3. Monday to Friday — logged once per year, and the console warns from 1 November when the
   next year has neither (``missing_years``), so someone enters it before it is needed.

A deadline of *n* working days runs to the end (23:59:59, Asia/Shanghai) of the *n*-th
working day after the day it starts: a case submitted on Wednesday with one working day is
due at the end of Thursday; submitted on the eve of the National Day holiday, it is due at the
end of the first working day after it (a make-up Saturday counts).

``current()`` returns the calendar as the database has it now. Each process keeps the
entered years in memory and re-reads them when the version in the shared cache changes
(bumped by ``calendar_changed()`` on every edit), so a measure over thousands of cases costs
one cache read, not one query per deadline.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("rongmei.wenzheng")
VERSION_KEY = "wenzheng:holiday-calendar:version"
_warned_years: set[int] = set()


class WorkCalendar:
    """Working days given the entered schedules ``{year: ({days off}, {days at work})}``."""

    def __init__(self, entered: dict[int, tuple[frozenset, frozenset]]):
        self.entered = entered

    def source(self, year: int) -> str:
        """"entered", "package" or "weekdays" — where ``year``'s days come from."""
        if year in self.entered:
            return "entered"
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return "weekdays"
        return "package"

    def is_workday(self, day: date) -> bool:
        schedule = self.entered.get(day.year)
        if schedule is not None:
            off, on = schedule
            return day in on or (day.weekday() < 5 and day not in off)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in _warned_years:
                _warned_years.add(day.year)
                logger.warning("no holiday schedule for %s: counting Monday to Friday as "
                               "working days; enter it under 问政 → 节假日安排", day.year)
            return day.weekday() < 5

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself never counts)."""
        current, remaining = day, n
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_workday(current):
                remaining -= 1
        return current

    def due_after(self, start: datetime, working_days: int) -> datetime:
        """End of the ``working_days``-th working day after ``start``'s local date."""
        end_day = self.add_working_days(timezone.localtime(start).date(), working_days)
        return timezone.make_aware(datetime.combine(end_day, time(23, 59, 59)))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days from ``start``'s date to ``end``'s date (the first excluded)."""
        current = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        count = 0
        while current < last:
            current += timedelta(days=1)
            count += self.is_workday(current)
        return count


_cached: list = [None, None]  # [version, WorkCalendar]


def _load() -> WorkCalendar:
    from .holidays import DayKind, HolidayDay

    # A year counts as entered only while it has days: a schedule emptied day by day falls
    # back to the package (or to Monday–Friday, with the warning), never to "no holidays".
    entered: dict[int, tuple[set, set]] = {}
    for day, kind, year in HolidayDay.objects.values_list("day", "kind", "schedule__year"):
        entered.setdefault(year, (set(), set()))[0 if kind == DayKind.HOLIDAY else 1].add(day)
    return WorkCalendar({y: (frozenset(off), frozenset(on)) for y, (off, on) in entered.items()})


def current() -> WorkCalendar:
    """The calendar as entered now (one shared-cache read; the database only after edits)."""
    version = cache.get(VERSION_KEY)
    if version is None or version != _cached[0] or _cached[1] is None:
        calendar = _load()
        if version is None:
            version = uuid.uuid4().hex
            cache.add(VERSION_KEY, version, timeout=None)
            version = cache.get(VERSION_KEY, version)
        _cached[:] = [version, calendar]
    return _cached[1]


def calendar_changed() -> None:
    """Call when the schedule changes: this process reloads at once (it sees its own
    transaction), every other process after the change commits."""
    _cached[:] = [None, None]
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None))


def missing_years(today: date | None = None) -> list[int]:
    """Years that need a schedule entered: the current one if it has none, and from
    1 November the next one."""
    today = today or timezone.localdate()
    calendar = current()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [y for y in years if calendar.source(y) == "weekdays"]


# The module-level helpers most callers need.
def is_workday(day: date) -> bool:
    return current().is_workday(day)


def add_working_days(day: date, n: int) -> date:
    return current().add_working_days(day, n)


def due_after(start: datetime, working_days: int) -> datetime:
    return current().due_after(start, working_days)


def extend(due: datetime, working_days: int) -> datetime:
    return current().due_after(due, working_days)


def working_days_between(start: datetime, end: datetime) -> int:
    return current().working_days_between(start, end)
