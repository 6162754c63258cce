"""Working days on the Chinese holiday calendar, with make-up working days (调休).

``chinese_calendar`` knows the State Council's official schedule up to a known year (the
installed release covers 2026). Beyond that we fall back to "Monday to Friday" and log a
warning once per year, so a deadline is never refused, only possibly a day off around a
holiday the package does not know yet — upgrade the package when the State Council publishes
the next year's schedule (usually in November).

A deadline of *n* working days runs to the end (23:59:59, Asia/Shanghai) of the *n*-th
working day after the day it starts: a case submitted on Wednesday with one working day is
due at the end of Thursday; submitted on the eve of the National Day holiday, it is due at the
end of the first working day after it (a make-up Saturday counts).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger("rongmei.wenzheng")
_warned_years: set[int] = set()


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning("chinese-calendar has no holiday data for %s: counting Monday to "
                           "Friday as working days; upgrade the package", day.year)
        return day.weekday() < 5


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself never counts)."""
    current = day
    remaining = n
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def due_after(start: datetime, working_days: int) -> datetime:
    """End of the ``working_days``-th working day after ``start``'s local date."""
    local_day = timezone.localtime(start).date()
    end_day = add_working_days(local_day, working_days)
    return timezone.make_aware(datetime.combine(end_day, time(23, 59, 59)))


def extend(due: datetime, working_days: int) -> datetime:
    return due_after(due, working_days)


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from ``start``'s date to ``end``'s date (exclusive of the first)."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    count, current = 0, first
    while current < last:
        current += timedelta(days=1)
        if is_workday(current):
            count += 1
    return count
