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


def voted_once(client, entries, django_capture_on_commit_callbacks):
    """A resident whose token has voted once, the other entry still to vote for, and an
    administrator's console session."""
    entry, other = entries
    voter = old_user()
    token = issued(voter, django_capture_on_commit_callbacks)
    assert press(client, entry, token).status_code == 200
    console = type(client)()
    console.force_login(make_user("administrator"))
    return voter, token, other, console


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
    voter, token, other, console = voted_once(client, entries,
                                              django_capture_on_commit_callbacks)
    saved = console.post(f"/admin/users/edit/{voter.pk}/", {
        "phone": voter.phone, "name": voter.name, "nickname": voter.nickname,
        "email": voter.email or "", "password1": "", "password2": ""})  # 有效 unticked
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert not User.objects.get(pk=voter.pk).is_active
    assert refused(press(client, other, token))


def test_deletion_in_the_console_stops_the_next_vote(
        client, entries, django_capture_on_commit_callbacks):
    voter, token, other, console = voted_once(client, entries,
                                              django_capture_on_commit_callbacks)
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


# --- from the adversarial review of the fast vote path ---------------------------------------

def test_bulk_deactivation_in_the_console_stops_the_next_vote(
        client, entries, django_capture_on_commit_callbacks):
    """Wagtail's bulk 设置启用状态 is a queryset update (no save, no pre_save): it tombstones
    the accounts' tokens first."""
    voter, token, other, console = voted_once(client, entries,
                                              django_capture_on_commit_callbacks)
    done = console.post(f"/admin/bulk/accounts/user/set_active_state/?id={voter.pk}",
                        {"mark_as_active": "False"})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert not User.objects.get(pk=voter.pk).is_active
    assert refused(press(client, other, token))


@needs_redis
def test_with_the_token_cache_unreachable_log_out_is_a_chinese_503_and_changes_nothing(
        client, monkeypatch):
    import redis

    voter = old_user()
    token = api_token_issue(user=voter, label="test")
    monkeypatch.setattr(tokens, "_client", lambda: redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    answer = client.post("/api/v1/auth/logout", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 503, answer.content
    assert answer.json() == {"code": "token_cache_unavailable",
                             "message": "系统繁忙，暂时无法完成，请稍后再试", "field": None}
    assert AppToken.objects.filter(token_hash=tokens_digest(token)).exists()


def test_a_nul_in_the_device_cookie_never_holds_back_the_votes_stored_with_it(
        client, entries, django_capture_on_commit_callbacks):
    """A NUL in the device cookie (Django's cookie parser decodes "\\000") once jammed the
    drain: PostgreSQL refuses NUL in text, the whole chunk failed at every run, and the
    honest votes admitted with it were never stored."""
    entry, other = entries
    hostile = issued(old_user(), django_capture_on_commit_callbacks)
    answer = client.post(f"{API}/entries/{entry.pk}/vote", HTTP_AUTHORIZATION=f"Bearer {hostile}",
                         HTTP_COOKIE='rm_device="\\000evil"')
    assert answer.status_code == 200, answer.content
    honest = [old_user() for _ in range(3)]
    for voter in honest:
        assert press(client, other, issued(voter, django_capture_on_commit_callbacks)
                     ).status_code == 200
    settle_votes()
    assert Vote.objects.filter(entry=other, voter__in=honest).count() == 3
    stored = Vote.objects.get(entry=entry)
    assert "\x00" not in stored.device_id and stored.device_id == "evil"


@needs_redis
def test_a_line_the_database_refuses_is_dropped_alone_at_the_drain(
        client, entries, django_capture_on_commit_callbacks):
    """Whatever a line holds that the database will not take, the votes admitted with it
    are stored and the bad one is counted as refused (logged), not retried forever."""
    import json

    entry, other = entries
    voters = [old_user() for _ in range(3)]
    for voter in voters:
        assert press(client, other, issued(voter, django_capture_on_commit_callbacks)
                     ).status_code == 200
    client_redis = get_redis()
    lines = client_redis.lrange(buffered.BUFFER.pending, 0, -1)
    assert len(lines) == 3, lines
    bad = json.loads(lines[0])
    bad["ip"] = "not an address"  # an inet column refuses it on PostgreSQL
    bad["slot"] = 99  # and the slot's check constraint everywhere
    client_redis.lset(buffered.BUFFER.pending, 0, json.dumps(bad))
    result = settle_votes()
    assert result.refused == 1 and result.stored == 2
    assert Vote.objects.filter(entry=other).count() == 2
    assert settle_votes().lines == 0  # the batch was discarded, nothing left to retry


@needs_redis
def test_the_count_a_vote_answers_never_goes_down_after_a_drain(
        client, entries, django_capture_on_commit_callbacks):
    """Right after a drain the worker's cached stored count (≤ 5 s old) no longer covers the
    votes the drain moved out of the waiting count: the answers read 173, 174, then 167."""
    entry, _ = entries
    shown = []
    for _ in range(3):
        answer = press(client, entry, issued(old_user(), django_capture_on_commit_callbacks))
        shown.append(answer.json()["votes"])
    buffered.votes_drain()  # the rules cached in this process still hold the old count
    for _ in range(2):
        answer = press(client, entry, issued(old_user(), django_capture_on_commit_callbacks))
        shown.append(answer.json()["votes"])
    assert shown == [1, 2, 3, 4, 5]
    settle_votes()
    assert Entry.objects.get(pk=entry.pk).votes == 5
