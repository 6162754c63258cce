"""The vote request is the hot path of a contest (issue 19's bench: a crowd on one contest).
Its cost is held here in queries, through the real door (a bearer token, as the apps send)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rongmei.accounts.services import api_token_issue
from rongmei.activities.models import Contest, Entry, Vote

from .conftest import API, approved_entries, make_contest, old_user

pytestmark = pytest.mark.django_db


def statements(captured) -> list[str]:
    """The statements a request sent, without the savepoints the test's own transaction
    turns each ``atomic`` into (in production the vote's transaction is the outermost)."""
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def voting_contest(ax, **rules):
    contest = make_contest(ax.operator, **rules)
    entries = approved_entries(ax.operator, contest, ax.people[:2])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    return entries


def test_one_vote_costs_four_queries(client, ax):
    """Token, entry with its contest, the vote's insert (its slot is the unique
    constraint's to refuse), the count's increment — nothing else: the anomaly signals are
    counted outside the database and the answer is not read back."""
    entry, _ = voting_contest(ax)
    voter = old_user()
    token = api_token_issue(user=voter, label="test")
    client.post(f"{API}/entries/{entry.pk}/vote", HTTP_AUTHORIZATION=f"Bearer {token}")
    Vote.objects.all().delete()
    Entry.objects.filter(pk=entry.pk).update(votes=0)
    with CaptureQueriesContext(connection) as captured:
        answer = client.post(f"{API}/entries/{entry.pk}/vote",
                             HTTP_AUTHORIZATION=f"Bearer {token}",
                             HTTP_X_DEVICE_ID="phone-1", REMOTE_ADDR="10.0.0.9")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["votes"] == 1 and answer.json()["used_today"] == 1
    assert len(statements(captured)) == 4, "\n".join(statements(captured))
    assert Entry.objects.get(pk=entry.pk).votes == Vote.objects.count() == 1
