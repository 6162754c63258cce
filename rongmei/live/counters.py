"""Viewer and like counts of rooms that are on, in Redis (in memory without it).

* **Viewers** are distinct devices seen in the last ``VIEWER_WINDOW`` seconds: a sorted set
  per room, device → last seen. SSE viewers are registered by the stream process holding
  their connection (one ``ZADD`` for all of them every few seconds); polling viewers send a
  heartbeat. A device counts once however many tabs or transports it uses: real numbers.
* **Cumulative viewers** are a HyperLogLog of the same devices (±0.8 %), **peak** the largest
  count seen, raised by a Lua script so two processes never lower it.
* **Likes** are taps batched by the client and added with ``INCRBY``.

``figures(room_id)`` reads all four; ``services.rooms.room_write_back`` copies them into
the room row (every minute by ``rongmei live_tick`` and when the room ends).
"""

from __future__ import annotations

import threading
import time

from rongmei.core.redis import get_redis

VIEWER_WINDOW = 45  # seconds: heartbeats come every 20 s, SSE registrations every 10 s
KEY_TTL = 3 * 24 * 3600

_PEAK = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
local peak = tonumber(redis.call('GET', KEYS[2]) or '0')
if n > peak then redis.call('SET', KEYS[2], n, 'EX', ARGV[2]) end
return n
"""


def _keys(room_id: int) -> dict[str, str]:
    return {"viewers": f"live:viewers:{room_id}", "uv": f"live:uv:{room_id}",
            "peak": f"live:peak:{room_id}", "likes": f"live:likes:{room_id}"}


class _Local:
    """The same figures for one process without Redis."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: dict[int, dict[str, float]] = {}
        self.ever: dict[int, set[str]] = {}
        self.peak: dict[int, int] = {}
        self.likes: dict[int, int] = {}

    def clear(self):
        with self.lock:
            self.seen.clear(), self.ever.clear(), self.peak.clear(), self.likes.clear()


_local = _Local()


def register_viewers(room_id: int, devices, *, now: float | None = None) -> None:
    """These devices are watching ``room_id`` now."""
    devices = [d for d in devices if d]
    if not devices:
        return
    now = now or time.time()
    client = get_redis()
    if client is None:
        with _local.lock:
            seen = _local.seen.setdefault(room_id, {})
            for device in devices:
                seen[device] = now
            _local.ever.setdefault(room_id, set()).update(devices)
        return
    keys = _keys(room_id)
    pipe = client.pipeline(transaction=False)
    for start in range(0, len(devices), 1000):
        chunk = devices[start:start + 1000]
        pipe.zadd(keys["viewers"], {device: now for device in chunk})
        pipe.pfadd(keys["uv"], *chunk)
    pipe.expire(keys["viewers"], KEY_TTL)
    pipe.expire(keys["uv"], KEY_TTL)
    pipe.execute()


def viewers_now(room_id: int, *, now: float | None = None) -> int:
    """Distinct devices seen within the window; raises the recorded peak."""
    now = now or time.time()
    client = get_redis()
    if client is None:
        with _local.lock:
            seen = _local.seen.get(room_id, {})
            for device, at in list(seen.items()):
                if at < now - VIEWER_WINDOW:
                    del seen[device]
            count = len(seen)
            _local.peak[room_id] = max(_local.peak.get(room_id, 0), count)
            return count
    keys = _keys(room_id)
    return int(client.eval(_PEAK, 2, keys["viewers"], keys["peak"], now - VIEWER_WINDOW,
                           KEY_TTL))


def add_likes(room_id: int, count: int) -> int:
    client = get_redis()
    if client is None:
        with _local.lock:
            _local.likes[room_id] = _local.likes.get(room_id, 0) + count
            return _local.likes[room_id]
    key = _keys(room_id)["likes"]
    pipe = client.pipeline(transaction=False)
    pipe.incrby(key, count)
    pipe.expire(key, KEY_TTL)
    return int(pipe.execute()[0])


def seed_likes(room_id: int, likes: int) -> None:
    """After Redis lost the room's count (a restart), start again from the stored figure."""
    client = get_redis()
    if client is None:
        with _local.lock:
            _local.likes.setdefault(room_id, likes)
        return
    client.set(_keys(room_id)["likes"], likes, ex=KEY_TTL, nx=True)


def figures(room_id: int) -> dict[str, int]:
    """{viewers, peak, total, likes} of a room, from the live counters."""
    viewers = viewers_now(room_id)
    client = get_redis()
    if client is None:
        with _local.lock:
            return {"viewers": viewers, "peak": _local.peak.get(room_id, 0),
                    "total": len(_local.ever.get(room_id, ())),
                    "likes": _local.likes.get(room_id, 0)}
    keys = _keys(room_id)
    pipe = client.pipeline(transaction=False)
    pipe.get(keys["peak"])
    pipe.pfcount(keys["uv"])
    pipe.get(keys["likes"])
    peak, total, likes = pipe.execute()
    return {"viewers": viewers, "peak": int(peak or 0), "total": int(total or 0),
            "likes": int(likes or 0)}


def light_figures(room_ids) -> dict[int, tuple[int, int]]:
    """(viewers, likes) for several rooms in one round trip — what the stream shows every
    second. The viewer count here does not trim or raise the peak (``viewers_now`` does)."""
    room_ids = list(room_ids)
    if not room_ids:
        return {}
    now = time.time()
    client = get_redis()
    if client is None:
        with _local.lock:
            return {r: (sum(1 for at in _local.seen.get(r, {}).values()
                            if at >= now - VIEWER_WINDOW), _local.likes.get(r, 0))
                    for r in room_ids}
    pipe = client.pipeline(transaction=False)
    for room_id in room_ids:
        keys = _keys(room_id)
        pipe.zcount(keys["viewers"], now - VIEWER_WINDOW, "+inf")
        pipe.get(keys["likes"])
    values = pipe.execute()
    return {room_id: (int(values[2 * i] or 0), int(values[2 * i + 1] or 0))
            for i, room_id in enumerate(room_ids)}


def watch_tick(room_id: int, user_id: int, *, day: str) -> int:
    """Count one heartbeat of a signed-in viewer today; returns today's count."""
    key = f"live:watch:{room_id}:{user_id}:{day}"
    client = get_redis()
    if client is None:
        from django.core.cache import cache

        if cache.add(key, 1, timeout=2 * 86400):
            return 1
        return cache.incr(key)
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, 2 * 86400)
    return int(pipe.execute()[0])


def forget(room_id: int) -> None:
    client = get_redis()
    if client is None:
        with _local.lock:
            _local.seen.pop(room_id, None)
        return
    client.delete(_keys(room_id)["viewers"])


def reset_local() -> None:
    """Tests: forget the in-memory figures."""
    _local.clear()
