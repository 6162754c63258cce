"""The bearer-token cache in Redis, shared by every worker: who a token belongs to, without
asking the database.

Only the hot vote path reads it (``services.api_token_user_cached``); every other API
request still asks the database (``services.api_token_user``). An entry holds the account's
id, when it joined and when the token expires — never anything that can change while the
token lives: the user the vote path gets is a ``User`` with only those fields loaded (any
other field is read from the database when asked for).

* **Filled** when the token is issued (after the commit), and when a token missing from the
  cache has been found valid in the database. An entry lives at most ``TOKEN_SECONDS`` and
  never past the token's expiry, which is also compared with the clock on every hit.
* **Dropped at once** — replaced by a tombstone, before the database changes — when a token
  is deleted (log out, revocation, 注销, purging, the account's deletion: every delete of an
  ``AppToken`` row, ``pre_delete``) and when an account is saved inactive or erased
  (deactivation in the console, 注销: ``pre_save`` of a ``User``). If Redis cannot be told,
  the change is refused (the error propagates and the transaction rolls back): a token the
  database no longer honours is never honoured by the cache.
* **A tombstone** means "ask the database": a request that read the database just before a
  revocation cannot put its stale answer back (the fill is ``SET NX``, which a tombstone
  blocks); it outlives by far any request in flight.

An account disabled by a bare ``UPDATE`` (a queryset ``update()``, SQL by hand) passes no
door: its cached tokens still vote until their entries expire (``TOKEN_SECONDS``). The doors
are the console, the API and the services, which save the model — all but the console's
bulk 设置启用状态 (Wagtail's, a queryset ``update()``), which tombstones the accounts' tokens
first (``before_bulk_action`` in wagtail_hooks.py).

The guarantee rests on Redis keeping its latest writes: a Redis restored from an older
snapshot, or a lagging replica promoted, could bring back an entry a tombstone replaced.
docs/operations.md says how to run Redis for this (append-only file, no stale failover).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime

from django.utils import timezone

logger = logging.getLogger("rongmei.accounts")

PREFIX = "auth:token:"  # + the token's SHA-256
TOKEN_SECONDS = 3600  # an entry's longest life
TOMBSTONE = b"-"
TOMBSTONE_SECONDS = 6 * 3600


def _key(digest: str) -> str:
    return PREFIX + digest


def digest(raw: str) -> str:
    """What is stored of a token: its SHA-256."""
    return hashlib.sha256(raw.encode()).hexdigest()


def cache_key(raw: str) -> str:
    """The cache entry of a raw token, for a Lua script that reads it in Redis itself (the
    vote's admission): JSON ``[user id, joined, expires]`` (epoch seconds), or the tombstone,
    or nothing."""
    return _key(digest(raw))


def _client():
    from rongmei.core.redis import get_redis

    return get_redis()


def remember(pairs, *, only_new: bool = True) -> None:
    """Cache ``(digest, user, expires_at)`` triples (one round trip). ``SET NX``: never over
    a tombstone. Errors are logged, not raised: a token missing from the cache is only
    slower."""
    from redis import RedisError

    client = _client()
    if client is None:
        return
    now = timezone.now()
    try:
        pipe = client.pipeline(transaction=False)
        for digest, user, expires_at in pairs:
            seconds = min(TOKEN_SECONDS, int((expires_at - now).total_seconds()))
            if seconds <= 0:
                continue
            value = json.dumps([user.pk, user.date_joined.timestamp(), expires_at.timestamp()])
            pipe.set(_key(digest), value, ex=seconds, nx=only_new)
        pipe.execute()
    except RedisError:
        logger.warning("token cache not filled: Redis unavailable", exc_info=True)


def forget(digests) -> None:
    """Tombstone these tokens' entries. When Redis cannot be told the change is refused
    (see the module): a 503 ``ServiceError`` with a Chinese message, never a 500."""
    client = _client()
    digests = list(digests)
    if client is None or not digests:
        return
    from redis import RedisError

    from rongmei.core.errors import ServiceError

    pipe = client.pipeline(transaction=False)
    for digest in digests:
        pipe.set(_key(digest), TOMBSTONE, ex=TOMBSTONE_SECONDS)
    try:
        pipe.execute()
    except RedisError:
        logger.error("token cache unreachable: the change that ends %d token(s) is refused",
                     len(digests), exc_info=True)
        raise ServiceError("token_cache_unavailable", "系统繁忙，暂时无法完成，请稍后再试",
                           status=503) from None


MISS, ASK = object(), object()  # not cached (fill after asking); tombstoned (only ask)


def lookup(digest: str):
    """The cached holder of a token as an ``(user id, joined, expires)`` tuple, or ``MISS``
    or ``ASK`` (the database must answer)."""
    from redis import RedisError

    client = _client()
    if client is None:
        return ASK
    try:
        held = client.get(_key(digest))
    except RedisError:
        return ASK
    if held is None:
        return MISS
    if held == TOMBSTONE:
        return ASK
    pk, joined, expires = json.loads(held)
    return (pk, datetime.fromtimestamp(joined, UTC), datetime.fromtimestamp(expires, UTC))


def token_deleted(sender, instance, **kwargs) -> None:
    """``pre_delete`` of an ``AppToken``: every door that ends a token."""
    forget([instance.token_hash])


def user_saved(sender, instance, **kwargs) -> None:
    """``pre_save`` of a ``User``: an account saved inactive or erased loses its tokens'
    entries (its tokens are refused by the database from then on)."""
    if instance.pk is None or (instance.is_active and not instance.deleted_at):
        return
    forget_accounts([instance.pk])


def forget_accounts(user_ids) -> None:
    """Tombstone every token of these accounts: for doors that change accounts without
    saving each one (the console's bulk 设置启用状态 is a queryset ``update()``)."""
    from .models import AppToken

    forget(AppToken.objects.filter(user_id__in=list(user_ids))
           .values_list("token_hash", flat=True))
