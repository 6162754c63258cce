"""The vote limit holds exactly when the same people vote in parallel (real PostgreSQL row
contention; the SQLite run serialises writers, so it only checks the same counts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rongmei.activities import services
from rongmei.activities.models import Contest, Entry, Vote
from rongmei.tests_support import make_user, run_at_once

from .conftest import approved_entries, make_contest, old_user, settle_votes

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: unique-constraint races under real concurrency")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_votes_never_pass_the_daily_limit():
    operator = make_user("operator")
    authors = [old_user() for _ in range(2)]
    contest = make_contest(operator, votes_per_day=3, vote_scope="contest")
    first, second = approved_entries(operator, contest, authors)
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    voters = [old_user() for _ in range(3)]
    # Each of three people presses eight times at once, spread over both entries.
    calls = [lambda v=v, e=e: services.vote_cast(user=v, entry_id=e.pk)
             for v in voters for e in (first, second) * 4]
    outcomes = run_at_once(calls)
    assert outcomes.count("ok") == 9 and outcomes.count("over_limit") == 15, outcomes
    settle_votes()  # with Redis, the votes admitted are stored by the drain
    for voter in voters:
        assert Vote.objects.filter(voter=voter).count() == 3
    stored = Vote.objects.filter(contest=contest).count()
    counted = sum(Entry.objects.filter(contest=contest).values_list("votes", flat=True))
    assert stored == counted == 9
