"""The vote request is the hot path of a contest (issue 19's bench: a crowd on one contest).
Its cost is held here in queries, through the real door (a bearer token, as the apps send)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rongmei.accounts.models import AppToken
from rongmei.accounts.services import api_token_issue
from rongmei.activities.models import Contest, Entry, Vote
from rongmei.core.redis import get_redis

from .conftest import API, approved_entries, make_contest, old_user, settle_votes

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


def test_one_vote_costs_one_query_with_redis_and_four_without(client, ax):
    """With Redis (services.votes) and a token the workers' cache does not hold yet (it
    was issued in this test's transaction, whose commit never runs): the token's one query,
    nothing else — none at all once it is cached (test_vote_token_cache) — the entry's rules
    are cached, admission, signals and the buffer are one Lua script, and the drain stores
    the vote later. Without Redis: token, entry with its contest, the vote's insert (its
    slot is the unique constraint's to refuse; its flags counted before, in the same row),
    the count's increment. The answer is not read back either way."""
    entry, _ = voting_contest(ax)
    warm = api_token_issue(user=old_user(), label="test")
    client.post(f"{API}/entries/{entry.pk}/vote", HTTP_AUTHORIZATION=f"Bearer {warm}")
    voter = old_user()
    token = api_token_issue(user=voter, label="test")
    AppToken.objects.filter(user=voter).update(last_used_at=timezone.now())  # seen this hour
    with CaptureQueriesContext(connection) as captured:
        answer = client.post(f"{API}/entries/{entry.pk}/vote",
                             HTTP_AUTHORIZATION=f"Bearer {token}",
                             HTTP_X_DEVICE_ID="phone-1", REMOTE_ADDR="10.0.0.9")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["votes"] == 2 and answer.json()["used_today"] == 1
    budget = 1 if get_redis() is not None else 4
    assert len(statements(captured)) == budget, "\n".join(statements(captured))
    settle_votes()
    assert Entry.objects.get(pk=entry.pk).votes == Vote.objects.count() == 2
    assert Vote.objects.get(device_id="phone-1").ip == "10.0.0.9"
