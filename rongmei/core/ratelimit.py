"""Fixed-window rate limits kept in the cache (Redis in production).

``hit()`` increments atomically: Redis INCR through Django's cache API, so the limit holds
across app servers. Without Redis the in-process cache gives per-process limits, which is
what a single-process demo needs.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from .errors import RateLimitedError


def _window_key(scope: str, ident: str, window: int) -> tuple[str, int]:
    bucket = int(time.time() // window)
    retry_after = window - int(time.time() % window)
    return f"rl:{scope}:{ident}:{bucket}", retry_after


def hit(scope: str, ident: str, *, limit: int, window: int, message: str,
        code: str = "rate_limited") -> int:
    """Count one event; raise RateLimitedError when more than ``limit`` in ``window`` s."""
    key, retry_after = _window_key(scope, ident, window)
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        raise RateLimitedError(message, code=code, retry_after=retry_after)
    return count


def peek(scope: str, ident: str, *, window: int) -> int:
    key, _ = _window_key(scope, ident, window)
    return int(cache.get(key) or 0)


def reset(scope: str, ident: str, *, window: int) -> None:
    key, _ = _window_key(scope, ident, window)
    cache.delete(key)
