"""Fixed-window rate limits, counted in Redis when it is configured.

With Redis, ``hit()`` is one round trip (INCR and EXPIRE NX pipelined), so the limit holds
across app servers and costs little on hot paths such as the voucher grab. Without Redis the
in-process cache gives per-process limits, which is what a single-process demo needs.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from .errors import RateLimitedError
from .redis import get_redis


def _window_key(scope: str, ident: str, window: int) -> tuple[str, int]:
    bucket = int(time.time() // window)
    retry_after = window - int(time.time() % window)
    return f"rl:{scope}:{ident}:{bucket}", retry_after


def _count(key: str, window: int) -> int:
    client = get_redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 1, nx=True)
        return int(pipe.execute()[0])
    if cache.add(key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window + 1)
        return 1


def count(scope: str, ident: str, *, window: int) -> int:
    """Count one event in this window and return how many there were, refusing nothing: for
    signals that flag rather than stop (a burst of votes from one address)."""
    key, _ = _window_key(scope, ident, window)
    return _count(key, window)


def count_distinct(scope: str, ident: str, member: str, *, window: int) -> int:
    """Note ``member`` under ``ident`` in this window; return how many different members
    were noted (the accounts one device voted for). One pipelined round trip with Redis."""
    key, _ = _window_key(scope, ident, window)
    client = get_redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        pipe.sadd(key, member)
        pipe.expire(key, window + 1, nx=True)
        pipe.scard(key)
        return int(pipe.execute()[2])
    if cache.add(f"{key}:{member}", 1, timeout=window + 1):
        return _count(key, window)
    return int(cache.get(key) or 0)


def hit(scope: str, ident: str, *, limit: int, window: int, message: str,
        code: str = "rate_limited") -> int:
    """Count one event; raise RateLimitedError when more than ``limit`` in ``window`` s."""
    key, retry_after = _window_key(scope, ident, window)
    count = _count(key, window)
    if count > limit:
        raise RateLimitedError(message, code=code, retry_after=retry_after)
    return count


def hit_all(checks, *, window: int, message: str, code: str = "rate_limited") -> None:
    """Count one event against several limits at once — ``checks`` is a list of
    (scope, ident, limit) — in one Redis round trip; raise RateLimitedError if any is over.
    For hot paths keyed on several things (the account, the address, the device)."""
    keyed = [(*_window_key(scope, ident, window), limit) for scope, ident, limit in checks]
    client = get_redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for key, _retry, _limit in keyed:
            pipe.incr(key)
            pipe.expire(key, window + 1, nx=True)
        counts = [int(value) for value in pipe.execute()[::2]]
    else:
        counts = [_count(key, window) for key, _retry, _limit in keyed]
    for (_key, retry_after, limit), count in zip(keyed, counts, strict=True):
        if count > limit:
            raise RateLimitedError(message, code=code, retry_after=retry_after)


def give_back(scope: str, ident: str, *, window: int) -> None:
    """Undo one ``hit`` of this window: for limits on *failures* that must be counted before
    the outcome is known (so parallel attempts cannot all slip under the limit), given back
    when the attempt turns out to have succeeded."""
    key, _ = _window_key(scope, ident, window)
    client = get_redis()
    if client is not None:
        client.decr(key)
        return
    try:
        cache.decr(key)
    except ValueError:  # the window ended meanwhile: nothing to give back
        pass


def peek(scope: str, ident: str, *, window: int) -> int:
    key, _ = _window_key(scope, ident, window)
    client = get_redis()
    return int((client.get(key) if client is not None else cache.get(key)) or 0)


def reset(scope: str, ident: str, *, window: int) -> None:
    key, _ = _window_key(scope, ident, window)
    client = get_redis()
    if client is not None:
        client.delete(key)
    else:
        cache.delete(key)


def first_in(scope: str, ident: str, *, window: int) -> bool:
    """True the first time ``ident`` is seen in ``scope`` within ``window`` seconds, False
    after: for counting people rather than presses (a search miss, an open of a service)."""
    key = hashlib.blake2b(f"{scope}:{ident}".encode(), digest_size=12).hexdigest()
    return cache.add(f"ratelimit:first:{key}", 1, timeout=window)
