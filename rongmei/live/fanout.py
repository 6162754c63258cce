"""Publishing into a room's comment channel, and what a late or polling viewer reads back.

``publish()`` is called by the services (an approved comment, an announcement, a draw
result, a pinned product, a retracted comment …) after their transaction commits. With
Redis it is one pipelined round trip: ``PUBLISH`` on the single channel every app process
subscribes to once (``stream.Hub``), and the message pushed onto the room's short recent
list — ordinary and priority messages on separate lists, so a flood of comments never
pushes an announcement out of what a polling client sees.

Without Redis (the embedded default: one process) the same happens in memory and the
process's own hub is handed the message directly.

Messages are small JSON objects: ``{"id", "room", "kind", "prio", "t", ...}``; ``t`` is the
publish time (seconds since the epoch) from which delivery latency is measured.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque

from rongmei.core.redis import get_redis

CHANNEL = "live:events"
RECENT_KEEP = 50  # ordinary messages a polling client sees
PRIORITY_KEEP = 20  # priority messages a polling client sees
RECENT_TTL = 6 * 3600

# Kinds of message. Priority ones are never sampled out of a frame.
COMMENT = "comment"
NOTICE = "notice"  # 公告 / 置顶
RETRACT = "retract"  # a comment removed by a moderator
DRAW = "draw"  # 抽奖 announced or drawn
PRODUCT = "product"  # 直播带货: a product is being presented
STATE = "state"  # the room started, paused, resumed or ended
POST = "post"  # a new 图文直播 entry
QUIZ = "quiz"  # 直播答题 (活动): a question pushed, its answer revealed, the quiz ended
PRIORITY_KINDS = frozenset({NOTICE, RETRACT, DRAW, PRODUCT, STATE, POST, QUIZ})
# What other capabilities may send through ``core.broadcast`` (never comments or states).
FOREIGN_KINDS = frozenset({QUIZ})


def recent_key(room_id: int, priority: bool) -> str:
    return f"live:{'prio' if priority else 'recent'}:{room_id}"


class LocalBroker:
    """The in-memory stand-in for Redis pub/sub and the recent lists (one process)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._recent: dict[tuple[int, bool], deque] = {}
        self.listeners: list = []  # callables taking the encoded message

    def publish(self, room_id: int, priority: bool, encoded: bytes) -> None:
        with self._lock:
            keep = PRIORITY_KEEP if priority else RECENT_KEEP
            self._recent.setdefault((room_id, priority), deque(maxlen=keep)).appendleft(encoded)
        for listener in list(self.listeners):
            listener(encoded)

    def recent(self, room_id: int, priority: bool) -> list[bytes]:
        with self._lock:
            return list(self._recent.get((room_id, priority), ()))

    def clear(self) -> None:
        with self._lock:
            self._recent.clear()


local_broker = LocalBroker()


def encode(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def publish(room_id: int, kind: str, data: dict, *, msg_id: str = "") -> dict:
    """Send one message into the room's channel now (call it on commit)."""
    message = {"id": msg_id, "room": int(room_id), "kind": kind,
               "prio": kind in PRIORITY_KINDS, "t": round(time.time(), 4), **data}
    encoded = encode(message)
    client = get_redis()
    if client is None:
        local_broker.publish(int(room_id), message["prio"], encoded)
        return message
    key = recent_key(room_id, message["prio"])
    pipe = client.pipeline(transaction=False)
    pipe.publish(CHANNEL, encoded)
    pipe.lpush(key, encoded)
    pipe.ltrim(key, 0, (PRIORITY_KEEP if message["prio"] else RECENT_KEEP) - 1)
    pipe.expire(key, RECENT_TTL)
    pipe.execute()
    return message


def recent(room_id: int) -> dict:
    """The last messages of a room, newest first: what the polling fallback answers (the
    same for everyone, so it is cached for a second or two in front of the app)."""
    client = get_redis()
    if client is None:
        ordinary = local_broker.recent(room_id, False)
        priority = local_broker.recent(room_id, True)
    else:
        pipe = client.pipeline(transaction=False)
        pipe.lrange(recent_key(room_id, False), 0, RECENT_KEEP - 1)
        pipe.lrange(recent_key(room_id, True), 0, PRIORITY_KEEP - 1)
        ordinary, priority = pipe.execute()
    return {"messages": [json.loads(m) for m in ordinary],
            "priority": [json.loads(m) for m in priority]}


def forget(room_id: int) -> None:
    client = get_redis()
    if client is not None:
        client.delete(recent_key(room_id, False), recent_key(room_id, True))
