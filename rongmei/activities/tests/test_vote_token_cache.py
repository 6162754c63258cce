"""The vote's bearer token read from the workers' shared cache (accounts.tokens): filled when
the token is issued, and dropped at once by every door that ends a token or an account — log
out, 注销, deactivation and deletion in the console, expiry. Each door is tested through the
door itself, and the very next vote must be refused with 401. Without Redis there is no
cache and the same doors hold through the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rongmei.accounts import tokens
from rongmei.accounts.models import AppToken, User
from rongmei.accounts.services import api_token_issue, api_token_user_cached
from rongmei.activities.models import Contest, Entry, EntryStatus, Vote
from rongmei.activities.services import votes as buffered
from rongmei.core.redis import get_redis
from rongmei.tests_support import make_user

from .conftest import API, approved_entries, make_contest, old_user, settle_votes

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(get_redis() is None, reason="the token cache (REDIS_URL)")


@pytest.fixture
def entries(ax):
    contest = make_contest(ax.operator, votes_per_day=5)
    found = approved_entries(ax.operator, contest, ax.people[:2])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    buffered.forget_rules()
    return found


def press(client, entry, token):
    return client.post(f"{API}/entries/{entry.pk}/vote", HTTP_AUTHORIZATION=f"Bearer {token}")


def issued(voter, django_capture_on_commit_callbacks) -> str:
    """A token issued as a login issues it: stored, then cached when the commit runs."""
    with django_capture_on_commit_callbacks(execute=True):
        return api_token_issue(user=voter, label="test")


def refused(answer) -> bool:
    return answer.status_code == 401 and answer.json()["code"] == "not_authenticated"


@needs_redis
def test_a_token_cached_at_issue_votes_without_asking_the_database(
        client, entries, django_capture_on_commit_callbacks):
    entry, _ = entries
    press(client, entry, issued(old_user(), django_capture_on_commit_callbacks))  # warm rules
    voter = old_user()
    token = issued(voter, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as captured:
        answer = press(client, entry, token)
    assert answer.status_code == 200 and answer.json()["used_today"] == 1, answer.json()
    assert [q["sql"] for q in captured.captured_queries] == []
    settle_votes()
    assert Vote.objects.filter(voter=voter, entry=entry).count() == 1


def test_log_out_stops_the_next_vote(client, entries, django_capture_on_commit_callbacks):
    entry, other = entries
    token = issued(old_user(), django_capture_on_commit_callbacks)
    assert press(client, entry, token).status_code == 200
    assert client.post("/api/v1/auth/logout",
                       HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert refused(press(client, other, token))


def test_erasure_stops_the_next_vote(client, entries, django_capture_on_commit_callbacks):
    entry, other = entries
    token = issued(old_user(), django_capture_on_commit_callbacks)
    assert press(client, entry, token).status_code == 200
    assert client.delete("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert refused(press(client, other, token))


def test_deactivation_in_the_console_stops_the_next_vote(
        client, entries, django_capture_on_commit_callbacks):
    entry, other = entries
    voter = old_user()
    token = issued(voter, django_capture_on_commit_callbacks)
    assert press(client, entry, token).status_code == 200
    console = type(client)()
    console.force_login(make_user("administrator"))
    saved = console.post(f"/admin/users/edit/{voter.pk}/", {
        "phone": voter.phone, "name": voter.name, "nickname": voter.nickname,
        "email": voter.email or "", "password1": "", "password2": ""})  # 有效 unticked
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert not User.objects.get(pk=voter.pk).is_active
    assert refused(press(client, other, token))


def test_deletion_in_the_console_stops_the_next_vote(
        client, entries, django_capture_on_commit_callbacks):
    entry, other = entries
    voter = old_user()
    token = issued(voter, django_capture_on_commit_callbacks)
    assert press(client, entry, token).status_code == 200
    console = type(client)()
    console.force_login(make_user("administrator"))
    assert console.post(f"/admin/users/delete/{voter.pk}/").status_code == 302
    assert not User.objects.filter(pk=voter.pk).exists()
    assert refused(press(client, other, token))


def test_an_expired_token_is_refused_though_cached(
        client, entries, django_capture_on_commit_callbacks):
    entry, other = entries
    token = issued(old_user(), django_capture_on_commit_callbacks)
    assert press(client, entry, token).status_code == 200
    expires = AppToken.objects.get(token_hash=tokens_digest(token)).expires_at
    with time_machine.travel(expires + timedelta(seconds=1), tick=False):
        assert refused(press(client, other, token))


def tokens_digest(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


@needs_redis
def test_a_stale_answer_read_before_a_revocation_is_never_cached(
        django_capture_on_commit_callbacks):
    """A request that found the token valid in the database just before it was revoked must
    not put that answer into the cache afterwards (the fill is SET NX; revocation leaves a
    tombstone)."""
    voter = old_user()
    token = api_token_issue(user=voter, label="test")  # not cached: no commit ran
    digest = tokens_digest(token)
    assert tokens.lookup(digest) is tokens.MISS
    AppToken.objects.filter(token_hash=digest).delete()  # the revocation …
    tokens.remember([(digest, voter, timezone.now() + timedelta(days=1))])  # … then the fill
    assert tokens.lookup(digest) is tokens.ASK
    assert api_token_user_cached(token) is None


@needs_redis
def test_a_revocation_redis_cannot_hear_is_refused(monkeypatch):
    """If the cache cannot be told, the token is not revoked either: the database and the
    cache never disagree in the token's favour."""
    from redis import RedisError

    voter = old_user()
    token = api_token_issue(user=voter, label="test")

    def down(*args, **kwargs):
        raise RedisError("down")

    monkeypatch.setattr(tokens, "forget", down)
    with pytest.raises(RedisError), transaction.atomic():
        AppToken.objects.filter(token_hash=tokens_digest(token)).delete()
    assert AppToken.objects.filter(user=voter).exists()


@needs_redis
def test_the_admission_script_reads_the_voter_and_its_age_from_the_cached_token(
        client, entries, django_capture_on_commit_callbacks):
    """With a cached token the script itself finds the voter (no query): the vote is the
    voter's, and the account's age and its 新注册账号 flag are the same as the database's."""
    entry, _ = entries
    new, old = make_user(), old_user()
    for voter in (new, old):
        token = issued(voter, django_capture_on_commit_callbacks)
        assert press(client, entry, token).status_code == 200
    settle_votes()
    assert Vote.objects.get(voter=new).flags == "新注册账号"
    assert Vote.objects.get(voter=new).account_age_days == 0
    assert Vote.objects.get(voter=old).flags == ""
    assert Vote.objects.get(voter=old).account_age_days == 30


def test_who_asks_is_checked_first_and_real_names_are_still_asked_for(
        client, ax, django_capture_on_commit_callbacks):
    """A refusal about the entry waits until the voter is known (an unknown token is 401
    even on a withdrawn entry), and a contest that requires real names still asks for the
    voter's record, cached token or not."""
    contest = make_contest(ax.operator, votes_per_day=5, require_realname=True)
    entry, other = approved_entries(ax.operator, contest, ax.people[:2])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    buffered.forget_rules()
    token = issued(old_user(), django_capture_on_commit_callbacks)
    answer = press(client, entry, token)
    assert answer.status_code == 403 and answer.json()["code"] == "realname_required"
    Entry.objects.filter(pk=other.pk).update(status=EntryStatus.REJECTED)
    buffered.forget_rules()
    assert refused(press(client, other, "not-a-token"))
    assert press(client, other, token).status_code == 404
