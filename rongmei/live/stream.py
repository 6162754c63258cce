"""The comment stream for a crowd: Server-Sent Events from an ASGI server (uvicorn).

One ``Hub`` per process holds **one** Redis subscription (the channel every room shares,
``fanout.CHANNEL``) and every viewer connected to this process. Messages are not sent to
viewers one by one: each room's messages are collected and merged into one *frame* every
``LIVE_FRAME_MS`` (300 ms by default), and that frame — encoded once — is queued to each of
the room's viewers. A frame carries at most ``LIVE_FRAME_CAP`` ordinary comments (a busy
room's flood is thinned evenly, and the frame says how many were left out); priority
messages (announcements, pinned products, draw results, retractions, state changes) are
never left out. Every second the frame also carries the viewer and like counts.

So a process does per frame: one JSON encode per room and one queue put per viewer; the
work grows with viewers × frames per second, not viewers × comments per second. Processes
scale out behind nginx (each with its own subscription); Redis does one PUBLISH per
message whatever the audience.

Without Redis (one process, the embedded default) the hub listens to ``fanout``'s
in-memory broker instead.

This is a plain ASGI application wrapped around Django's (``with_live_stream``): it owns
``/live/stream/<room id>?d=<device>`` and hands every other request to Django. Viewers
connected here are counted (by device) without sending heartbeats themselves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from urllib.parse import parse_qs

from django.conf import settings

from . import counters, fanout

logger = logging.getLogger(__name__)

PATH = re.compile(r"^/live/stream/(\d{1,10})/?$")
DEVICE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
QUEUE_MAX = 64  # frames a slow viewer may fall behind before it is dropped (it reconnects)
PING_SECONDS = 15.0
STATS_SECONDS = 1.0
REGISTER_SECONDS = 10.0
ROOM_CHECK_SECONDS = 30.0
CLOSE = object()
HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8"),
           (b"cache-control", b"no-cache, no-store"), (b"x-accel-buffering", b"no"),
           (b"connection", b"keep-alive")]


def sample(items: list, cap: int) -> tuple[list, int]:
    """At most ``cap`` of ``items``, spread evenly over them, and how many were left out."""
    if len(items) <= cap:
        return items, 0
    step = len(items) / cap
    return [items[int(i * step)] for i in range(cap)], len(items) - cap


class Viewer:
    __slots__ = ("device", "queue")

    def __init__(self, device: str):
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_MAX)
        self.device = device


class Room:
    __slots__ = ("figures", "id", "ordinary", "priority", "stats_due", "viewers")

    def __init__(self, room_id: int):
        self.id = room_id
        self.viewers: set[Viewer] = set()
        self.ordinary: list[bytes] = []
        self.priority: list[bytes] = []
        self.figures = (0, 0)
        self.stats_due = True


class Hub:
    def __init__(self, *, frame_ms: int | None = None, cap: int | None = None):
        self.frame = (frame_ms or settings.LIVE_FRAME_MS) / 1000
        self.cap = cap or settings.LIVE_FRAME_CAP
        self.rooms: dict[int, Room] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks: list[asyncio.Task] = []
        self.room_checks: dict[int, tuple[bool, float]] = {}
        self.frames_sent = 0  # frames queued to viewers (a frame to 1,000 viewers is 1,000)
        self.messages_in = 0

    # --- life -------------------------------------------------------------------------------

    def ensure_started(self) -> None:
        if self.tasks:
            return
        self.loop = asyncio.get_running_loop()
        if settings.REDIS_URL:
            self.tasks.append(self.loop.create_task(self._subscribe()))
        else:
            fanout.local_broker.listeners.append(self._from_thread)
        self.tasks.append(self.loop.create_task(self._flush_forever()))
        self.tasks.append(self.loop.create_task(self._register_forever()))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.tasks = []
        if self._from_thread in fanout.local_broker.listeners:
            fanout.local_broker.listeners.remove(self._from_thread)

    def _from_thread(self, encoded: bytes) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.receive, encoded)

    async def _subscribe(self) -> None:
        import redis.asyncio as aioredis

        delay = 0.5
        while True:
            client = aioredis.Redis.from_url(settings.REDIS_URL, health_check_interval=30)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(fanout.CHANNEL)
                    delay = 0.5
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.receive(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarted or unreachable: resubscribe
                logger.warning("live stream: Redis subscription lost (%s); retrying", exc)
                await asyncio.sleep(delay)
                delay = min(10.0, delay * 2)
            finally:
                await client.aclose()

    # --- messages in, frames out -------------------------------------------------------------

    def receive(self, encoded: bytes) -> None:
        self.messages_in += 1
        try:
            head = json.loads(encoded)
            room = self.rooms.get(int(head["room"]))
        except (ValueError, KeyError, TypeError):
            return
        if room is None or not room.viewers:
            return  # nobody here watches that room
        (room.priority if head.get("prio") else room.ordinary).append(encoded)

    async def _flush_forever(self) -> None:
        next_stats = 0.0
        while True:
            await asyncio.sleep(self.frame)
            now = time.monotonic()
            if now >= next_stats:
                next_stats = now + STATS_SECONDS
                await self._refresh_figures()
            self.flush()

    async def _refresh_figures(self) -> None:
        watched = [room_id for room_id, room in self.rooms.items() if room.viewers]
        if not watched:
            return
        try:
            figures = await asyncio.to_thread(counters.light_figures, watched)
        except Exception as exc:
            logger.warning("live stream: figures unavailable (%s)", exc)
            return
        for room_id, value in figures.items():
            room = self.rooms.get(room_id)
            if room is not None and value != room.figures:
                room.figures, room.stats_due = value, True

    def flush(self) -> None:
        """Merge each room's messages into one frame and queue it to its viewers."""
        now = round(time.time(), 4)
        for room in list(self.rooms.values()):
            if not room.viewers:
                if not room.ordinary and not room.priority:
                    self.rooms.pop(room.id, None)
                room.ordinary, room.priority = [], []
                continue
            if not room.ordinary and not room.priority and not room.stats_due:
                continue
            ordinary, dropped = sample(room.ordinary, self.cap)
            priority = room.priority
            room.ordinary, room.priority, room.stats_due = [], [], False
            viewers, likes = room.figures
            frame = b"".join((
                b'data: {"t":', str(now).encode(), b',"v":', str(viewers).encode(),
                b',"l":', str(likes).encode(), b',"d":', str(dropped).encode(),
                b',"p":[', b",".join(priority), b'],"m":[', b",".join(ordinary), b"]}\n\n"))
            slow = []
            for viewer in room.viewers:
                try:
                    viewer.queue.put_nowait(frame)
                except asyncio.QueueFull:
                    slow.append(viewer)
            self.frames_sent += len(room.viewers) - len(slow)
            for viewer in slow:  # fell QUEUE_MAX frames behind: let it reconnect
                room.viewers.discard(viewer)
                close(viewer)

    async def _register_forever(self) -> None:
        while True:
            await asyncio.sleep(REGISTER_SECONDS)
            await self.register_viewers()

    async def register_viewers(self) -> None:
        for room in list(self.rooms.values()):
            devices = list({viewer.device for viewer in room.viewers if viewer.device})
            if devices:
                try:
                    await asyncio.to_thread(counters.register_viewers, room.id, devices)
                except Exception as exc:
                    logger.warning("live stream: viewers not registered (%s)", exc)

    # --- viewers -----------------------------------------------------------------------------

    async def room_open(self, room_id: int) -> bool:
        checked = self.room_checks.get(room_id)
        if checked is not None and checked[1] > time.monotonic():
            return checked[0]
        is_open = await asyncio.to_thread(_room_is_open, room_id)
        self.room_checks[room_id] = (is_open, time.monotonic() + ROOM_CHECK_SECONDS)
        return is_open

    def join(self, room_id: int, device: str) -> Viewer:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room(room_id)
        viewer = Viewer(device)
        room.viewers.add(viewer)
        room.stats_due = True
        return viewer

    def leave(self, room_id: int, viewer: Viewer) -> None:
        room = self.rooms.get(room_id)
        if room is not None:
            room.viewers.discard(viewer)

    def viewer_count(self) -> int:
        return sum(len(room.viewers) for room in self.rooms.values())


def close(viewer: Viewer) -> None:
    """End a viewer's stream: what it has not read yet is dropped."""
    while not viewer.queue.empty():
        viewer.queue.get_nowait()
    viewer.queue.put_nowait(CLOSE)


def _room_is_open(room_id: int) -> bool:
    """Whether viewers may join: from the cache (``states.remember_open``, written when the
    room changes), else the database — so a crowd arriving at once costs no query each."""
    from django.core.cache import cache
    from django.db import close_old_connections

    from .states import open_key, room_is_open

    known = cache.get(open_key(room_id))
    if known is not None:
        return bool(known)
    close_old_connections()
    try:
        return room_is_open(room_id)
    finally:
        close_old_connections()


_hub: Hub | None = None  # one per process, made on first use (settings are read then)


def get_hub() -> Hub:
    global _hub
    if _hub is None:
        _hub = Hub()
    return _hub


async def _respond(send, status: int, message: str) -> None:
    body = json.dumps({"code": "stream_refused", "message": message},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


async def stream(scope, receive, send, room_id: int) -> None:
    current = get_hub()
    current.ensure_started()
    if not await current.room_open(room_id):
        await _respond(send, 404, "直播间不存在或已结束")
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    device = (query.get("d") or [""])[0]
    device = device if DEVICE.match(device) else ""
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
    viewer = current.join(room_id, device)

    async def watch_disconnect():
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                close(viewer)
                return

    watcher = asyncio.ensure_future(watch_disconnect())
    try:
        while True:
            try:
                frame = await asyncio.wait_for(viewer.queue.get(), timeout=PING_SECONDS)
            except TimeoutError:
                frame = b": ping\n\n"
            if frame is CLOSE:
                break
            await send({"type": "http.response.body", "body": frame, "more_body": True})
    except OSError:
        pass  # the client went away mid-write
    finally:
        current.leave(room_id, viewer)
        watcher.cancel()


def with_live_stream(django_app):
    """The ASGI application: the comment stream, and Django for everything else."""

    async def application(scope, receive, send):
        if scope["type"] == "http":
            found = PATH.match(scope.get("path", ""))
            if found and scope.get("method") == "GET":
                await stream(scope, receive, send, int(found.group(1)))
                return
        elif scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if _hub is not None:
                        await _hub.stop()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await django_app(scope, receive, send)

    return application
