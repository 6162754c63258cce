"""A contest, an operator and a few residents; workbook helpers for the Excel imports."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from openpyxl import Workbook

from rongmei.tests_support import make_user

API = "/api/v1/activities"


def workbook(header, rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "upload.xlsx"
    return data


def api_post(client, user, path, body=None):
    client.force_login(user)
    return client.post(API + path, body or {}, content_type="application/json")


def old_user(**extra):
    """A resident whose account is a month old (not flagged as brand new)."""
    from rongmei.accounts.models import User

    user = make_user(**extra)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    user.refresh_from_db()
    return user


def make_contest(operator, *, stage="submission", votes_per_day=1, vote_scope="contest",
                 **extra):
    """A contest whose ``stage`` is open now."""
    from rongmei.activities import services

    now = timezone.now()
    day = timedelta(days=1)
    if stage == "submission":
        times = (now - day, now + day, now + 2 * day, now + 3 * day, now + 4 * day)
    else:  # voting
        times = (now - 4 * day, now - 3 * day, now - day, now + day, now + 2 * day)
    return services.contest_create(
        actor=operator, title="红色故事我来讲", registration_opens=times[0],
        submission_closes=times[1], voting_opens=times[2], voting_closes=times[3],
        results_at=times[4], votes_per_day=votes_per_day, vote_scope=vote_scope,
        form_fields=["name", "phone"], **extra)


def approved_entries(operator, contest, authors):
    """Entries by ``authors``, registered and approved while submission was open."""
    from rongmei.activities import services

    when = contest.registration_opens + timedelta(hours=1)
    entries = []
    for index, author in enumerate(authors):
        services.registration_create(user=author, contest_id=contest.pk, now=when, answers={
            "name": f"作者{index + 1}", "phone": f"1380000{index:04d}"})
        entry = services.entry_submit(user=author, contest_id=contest.pk,
                                      title=f"作品{index + 1}号", text="讲述一个红色故事。",
                                      now=when)
        entries.append(services.entry_review(actor=operator, entry_id=entry.pk, approve=True))
    return entries


@pytest.fixture
def ax(db):
    operator = make_user("operator")
    return SimpleNamespace(operator=operator, people=[old_user() for _ in range(3)])


@pytest.fixture(autouse=True)
def _fresh_vote_state():
    """Each test starts with no votes admitted in Redis (the ids of a new test database
    repeat those of the last run) and no entry rules cached in this process."""
    from rongmei.activities.services.votes import forget_rules
    from rongmei.core.redis import get_redis

    def clear():
        forget_rules()
        client = get_redis()
        if client is not None:
            keys = list(client.scan_iter(match="votes:*", count=1000))
            if keys:
                client.delete(*keys)

    clear()
    yield
    clear()


def settle_votes():
    """What a few seconds do in production: the votes admitted in Redis are stored by the
    drain, and every worker's cached entry rules expire (here: this process's). Without
    Redis votes are stored as they are cast and this only forgets the cache."""
    from rongmei.activities.services.votes import forget_rules, votes_drain

    forget_rules()
    return votes_drain()
