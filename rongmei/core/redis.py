"""The raw Redis connection, for what Django's cache API cannot say (Lua scripts, hashes).

``get_redis()`` returns None when REDIS_URL is not set: callers must then work from the
database alone (the embedded default).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2,
                                health_check_interval=30)


def get_redis():
    url = settings.REDIS_URL
    return _client(url) if url else None
