"""Votes through the API door (a bearer token, as the apps send) on the path issue 19's bench
measures: with Redis, admitted by one Lua script and stored by the drain (services.votes);
without Redis, stored as cast. The limit, the flags, the counts and the door itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.accounts.models import AppToken
from rongmei.accounts.services import api_token_issue, api_token_revoke
from rongmei.activities.models import Contest, Entry, EntryStatus, Vote
from rongmei.activities.services import votes as buffered
from rongmei.core.redis import get_redis
from rongmei.tests_support import make_user

from .conftest import API, approved_entries, make_contest, old_user, settle_votes

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(get_redis() is None, reason="the Redis path (REDIS_URL)")


def voting(ax, **rules):
    contest = make_contest(ax.operator, **rules)
    entries = approved_entries(ax.operator, contest, ax.people[:2])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    buffered.forget_rules()
    return contest, entries


def press(client, entry, token, **extra):
    return client.post(f"{API}/entries/{entry.pk}/vote", HTTP_AUTHORIZATION=f"Bearer {token}",
                       **extra)


def books(contest) -> tuple[int, int]:
    stored = Vote.objects.filter(contest=contest, invalid=False).count()
    counted = sum(Entry.objects.filter(contest=contest).values_list("votes", flat=True))
    return stored, counted


def test_a_revoked_token_or_a_closed_account_stops_voting_at_once(client, ax):
    _, (entry, other) = voting(ax, votes_per_day=3)
    voter = old_user()
    token = api_token_issue(user=voter, label="test")
    assert press(client, entry, token).status_code == 200
    api_token_revoke(raw=token)
    assert press(client, other, token).status_code == 401  # the very next request
    second = old_user()
    token = api_token_issue(user=second, label="test")
    assert press(client, entry, token).status_code == 200
    second.is_active = False  # disabled by an admin (the console saves the account)
    second.save()
    assert press(client, other, token).status_code == 401
    third = old_user()
    token = api_token_issue(user=third, label="test")
    AppToken.objects.filter(user=third).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert press(client, entry, token).status_code == 401
    settle_votes()
    assert books(entry.contest) == (2, 2)


def test_an_entry_withdrawn_or_a_contest_closed_is_refused_once_the_cache_expires(client, ax):
    """Workers trust an entry's rules for ``RULES_SECONDS``; past that (here: the cache
    forgotten), a withdrawn entry is 404 and a closed contest 409. A change saved through the
    ORM in the same process is seen at once."""
    contest, (entry, other) = voting(ax, votes_per_day=5)
    token = api_token_issue(user=old_user(), label="test")
    assert press(client, entry, token).status_code == 200
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.REJECTED)
    buffered.forget_rules()  # what RULES_SECONDS does
    assert press(client, entry, token).status_code == 404
    Contest.objects.filter(pk=contest.pk).update(voting_closes=timezone.now())
    buffered.forget_rules()
    closed = press(client, other, token)
    assert closed.status_code == 409 and closed.json()["code"] == "voting_closed"
    assert "截止" in closed.json()["message"]
    assert buffered.RULES_SECONDS <= 10  # the bound docs/benchmarks.md promises
    settle_votes()
    assert books(contest) == (1, 1)


def test_flags_are_stored_with_the_vote_new_account_shared_device_and_address_burst(
        client, ax, request):
    # The burst is counted in fixed ten-minute windows: start just after a window opens, or
    # thirty votes cast across its end are counted in two windows and none is flagged.
    import time
    from datetime import UTC, datetime

    import time_machine

    from rongmei.activities.services import IP_BURST

    window = int(IP_BURST[0].total_seconds())
    opens = (int(time.time()) // window + 1) * window + 1
    traveller = time_machine.travel(datetime.fromtimestamp(opens, UTC), tick=True)
    traveller.start()
    request.addfinalizer(traveller.stop)
    contest, (entry, _) = voting(ax)
    # A brand-new account: flagged. Three accounts on one device: the third is flagged.
    for _ in range(3):
        token = api_token_issue(user=make_user(), label="test")
        assert press(client, entry, token, HTTP_X_DEVICE_ID="shared-phone",
                     REMOTE_ADDR="10.1.1.1").status_code == 200
    # Thirty votes from one address within ten minutes: the thirtieth on is flagged.
    for _ in range(IP_BURST[1]):
        token = api_token_issue(user=old_user(), label="test")
        assert press(client, entry, token, REMOTE_ADDR="10.2.2.2").status_code == 200
    settle_votes()
    device = list(Vote.objects.filter(device_id="shared-phone").order_by("slot", "pk")
                  .values_list("flags", flat=True))
    assert all("新注册账号" in flags for flags in device)
    assert sum("多账号共用设备" in flags for flags in device) == 1
    burst = Vote.objects.filter(ip="10.2.2.2")
    assert burst.filter(flags__contains="同一IP集中投票").count() == 1
    assert burst.exclude(flags="").count() == 1  # the others: old accounts, no burst yet
    assert books(contest) == (3 + IP_BURST[1],) * 2
    assert Vote.objects.filter(ip="10.1.1.1").count() == 3  # the raw signals are kept


@needs_redis
def test_a_drain_run_again_stores_nothing_twice(client, ax):
    contest, (entry, other) = voting(ax, votes_per_day=2)
    tokens = [api_token_issue(user=old_user(), label="test") for _ in range(3)]
    for token in tokens:
        assert press(client, entry, token).status_code == 200
        assert press(client, other, token).status_code == 200
        assert press(client, other, token).status_code == 409
    answer = press(client, entry, api_token_issue(user=old_user(), label="test")).json()
    assert answer["votes"] == 4  # stored (none yet) + waiting in Redis
    assert buffered.waiting_votes(entry.pk) == 4
    # A drain that dies after its commit, before discarding the batch: the batch is still
    # there for the next run. Simulated by claiming and storing without discarding.
    client_redis = get_redis()
    (batch,) = buffered.BUFFER.claim(client_redis)
    result = buffered.DrainResult()
    for _chunk, lines in buffered.BUFFER.chunks(client_redis, batch, buffered.CHUNK):
        buffered._store(lines, result, {})
    assert result.stored == 7 and books(contest) == (7, 7)
    again = settle_votes()
    assert (again.stored, again.refused, again.batches) == (7, 0, 1)
    assert books(contest) == (7, 7)
    assert settle_votes().lines == 0  # and a third run finds nothing
    assert buffered.waiting_votes(entry.pk) == 0
    assert Entry.objects.get(pk=entry.pk).votes == 4


@needs_redis
def test_a_flushed_redis_never_counts_a_vote_twice(client, ax):
    """Redis loses what it held: admitted-but-undrained votes are lost (never counted), and
    a voter it forgot who votes again is refused by the database at the drain."""
    contest, (entry, _) = voting(ax)
    stored_voter, lost_voter = old_user(), old_user()
    stored_token = api_token_issue(user=stored_voter, label="test")
    lost_token = api_token_issue(user=lost_voter, label="test")
    assert press(client, entry, stored_token).status_code == 200
    settle_votes()
    assert press(client, entry, lost_token).status_code == 200
    assert press(client, entry, stored_token).status_code == 409
    get_redis().flushdb()
    # Redis forgot both: each votes again and is admitted there.
    assert press(client, entry, stored_token).status_code == 200
    assert press(client, entry, lost_token).status_code == 200
    result = settle_votes()
    assert (result.stored, result.refused) == (1, 1)  # the lost voter's new vote; a refusal
    assert Vote.objects.filter(voter=stored_voter).count() == 1
    assert Vote.objects.filter(voter=lost_voter).count() == 1
    assert books(contest) == (2, 2)
