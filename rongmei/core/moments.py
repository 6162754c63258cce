"""Times as people type them: a date-time without a zone is the county's local time."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def local_aware(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware datetime: a naive one (no zone, as the console's forms and API
    callers send it) means the county's local time (``settings.TIME_ZONE``); an aware one
    is returned as it is. Comparing a naive time with ``timezone.now()`` raises, so every
    service that takes a time from outside passes it through here first."""
    if moment is None or not isinstance(moment, datetime):
        return moment
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
