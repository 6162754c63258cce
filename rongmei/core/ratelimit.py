"""Fixed-window rate limits, counted in Redis when it is configured.

With Redis, ``hit()`` is one round trip (INCR and EXPIRE NX pipelined), so the limit holds
across app servers and costs little on hot paths such as the voucher grab. Without Redis the
in-process cache gives per-process limits, which is what a single-process demo needs.
"""

from __future__ import annotations

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


def hit(scope: str, ident: str, *, limit: int, window: int, message: str,
        code: str = "rate_limited") -> int:
    """Count one event; raise RateLimitedError when more than ``limit`` in ``window`` s."""
    key, retry_after = _window_key(scope, ident, window)
    count = _count(key, window)
    if count > limit:
        raise RateLimitedError(message, code=code, retry_after=retry_after)
    return count


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
