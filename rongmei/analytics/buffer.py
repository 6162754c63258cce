"""Where events wait between the beacon and the aggregation timer: Redis, or files.

The beacon appends compact JSON lines (``events.encode``) — one round trip to Redis, or one
``write`` to a per-process file, and no SQL. The timer ``claim``s what has piled up, reads it
in fixed chunks (each chunk named ``<batch>:<offset>``, the key of its ``IngestBatch`` row)
and ``discard``s a batch once every chunk is in the database.

* **Redis.** Events go to one list, claimed and read by ``core.listbuffer`` (shared with
  the contest votes' buffer): claiming renames the list to a fresh batch key and records it
  in a set, in one Lua script, so events arriving meanwhile start a new list and a batch is
  never half-claimed. A batch left by a timer that died is found in the set and finished by
  the next run; chunks already committed are skipped by their unique key. If Redis is
  flushed, what it held is lost (uncounted), never counted twice.
* **Files** (no Redis, the embedded default). Each process appends to a file named by the
  minute and its pid, opening it for each write; the timer claims only files of minutes
  that have passed, so no writer still holds one.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from rongmei.core.listbuffer import RedisListBuffer
from rongmei.core.redis import get_redis

logger = logging.getLogger("rongmei.analytics")

PENDING_KEY = "analytics:events"
BATCH_PREFIX = "analytics:batch:"
BATCHES_KEY = "analytics:batches"
RATE_PREFIX = "analytics:rate:"
CHUNK = 20_000
BUFFER = RedisListBuffer(PENDING_KEY, BATCH_PREFIX, BATCHES_KEY)

# KEYS: pending list, rate key. ARGV: limit per minute, buffer cap, event lines...
# Returns the number appended: 0 when over the limit (-1) or the buffer is full (-2).
_APPEND = """
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], 61) end
if n > tonumber(ARGV[1]) then return -1 end
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return -2 end
return redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
"""

OVER_LIMIT = -1
FULL = -2


@lru_cache(maxsize=4)
def _scripts(client):
    return client.register_script(_APPEND)


@dataclass
class Batch:
    key: str
    backend: str

    def chunks(self) -> Iterator[tuple[str, list[bytes]]]:
        """``(chunk key, lines)`` in order; a chunk key is stable across retries."""
        if self.backend == "redis":
            yield from BUFFER.chunks(get_redis(), self.key, CHUNK)
        else:
            lines: list[bytes] = []
            offset = 0
            with open(self.key, "rb") as handle:
                for line in handle:
                    if not line.endswith(b"\n"):
                        continue  # a torn last line (a writer killed mid-write): dropped
                    lines.append(line[:-1])
                    if len(lines) == CHUNK:
                        yield f"{Path(self.key).name}:{offset}", lines
                        offset += CHUNK
                        lines = []
            if lines:
                yield f"{Path(self.key).name}:{offset}", lines

    def discard(self) -> None:
        if self.backend == "redis":
            BUFFER.discard(get_redis(), self.key)
        else:
            Path(self.key).unlink(missing_ok=True)


def _folder() -> Path:
    folder = Path(settings.ANALYTICS_BUFFER_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def append(lines: list[bytes], *, client_key: str) -> int:
    """Append event lines; returns how many, or ``OVER_LIMIT`` / ``FULL``."""
    client = get_redis()
    if client is not None and settings.ANALYTICS_BATCH_MS > 0:
        return _batcher.add(lines, client_key)
    if client is not None:
        script = _scripts(client)
        minute = int(time.time() // 60)
        return int(script(keys=[PENDING_KEY, f"{RATE_PREFIX}{minute}:{client_key}"],
                          args=[settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE,
                                settings.ANALYTICS_BUFFER_MAX, *lines]))
    # Embedded default: one process or two, a local disk. Rate limits come from the cache.
    from django.core.cache import cache

    minute = int(time.time() // 60)
    rate_key = f"analytics:rate:{minute}:{client_key}"
    cache.add(rate_key, 0, timeout=61)
    try:
        if cache.incr(rate_key) > settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE:
            return OVER_LIMIT
    except ValueError:
        pass
    path = _folder() / f"pending-{minute}-{os.getpid()}.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"".join(line + b"\n" for line in lines))
    finally:
        os.close(fd)
    return len(lines)


def claim(*, everything: bool = False) -> list[Batch]:
    """Take what is pending (and any batch a dead run left) for the timer to move.

    ``everything`` also takes the file buffer's current minute (tests; a final flush).
    """
    client = get_redis()
    if client is not None:
        flush_local()
        return [Batch(key, "redis") for key in BUFFER.claim(client)]
    folder = _folder()
    current = int(time.time() // 60)
    for path in sorted(folder.glob("pending-*.jsonl")):
        minute = int(path.name.split("-")[1])
        if everything or minute < current:
            path.rename(folder / f"batch-{minute}-{uuid.uuid4().hex}.jsonl")
    return [Batch(str(path), "file") for path in sorted(folder.glob("batch-*.jsonl"))]


def pending_count() -> int:
    """Events waiting in the buffer (for the console and the bench)."""
    client = get_redis()
    if client is not None:
        flush_local()
        return BUFFER.waiting(client)
    total = 0
    for path in _folder().glob("*.jsonl"):
        with open(path, "rb") as handle:
            total += sum(1 for _ in handle)
    return total


class _Batcher:
    """This process's staging area in front of the Redis list (``ANALYTICS_BATCH_MS``).

    A beacon request only appends its lines to a list in memory; a thread of the process
    pushes what gathered to Redis every ``ANALYTICS_BATCH_MS`` milliseconds (sooner past
    ``FLUSH_AT`` lines) in one pipelined round trip. So the hot path has no network wait at
    all. The price: if a worker is killed outright (SIGKILL, a crash), the events of its
    last fraction of a second are lost — never counted twice; a normal exit (gunicorn's
    graceful restart, max-requests recycling) pushes them first (``atexit``). Rate limits are
    counted per process here (a client's limit is per worker), and "buffer full" is learnt
    at each push.
    """

    FLUSH_AT = 2000
    KEEP_ON_ERROR = 200_000  # lines held back while Redis is unreachable, then dropped

    def __init__(self):
        self.lock = threading.Lock()
        self.pushing = threading.Lock()
        self.lines: list[bytes] = []
        self.pid: int | None = None
        self.full = False
        self.rates: dict[str, int] = {}
        self.rate_minute = 0
        self.wake = threading.Event()

    def add(self, lines: list[bytes], client_key: str) -> int:
        minute = int(time.time() // 60)
        with self.lock:
            if self.pid != os.getpid():  # first use in this (possibly forked) process
                self.pid, self.lines, self.rates = os.getpid(), [], {}
                threading.Thread(target=self._run, name="analytics-buffer", daemon=True).start()
                atexit.register(self.flush)
            if minute != self.rate_minute:
                self.rate_minute, self.rates = minute, {}
            count = self.rates.get(client_key, 0) + 1
            self.rates[client_key] = count
            if count > settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE:
                return OVER_LIMIT
            if self.full:
                return FULL
            self.lines.extend(lines)
            waiting = len(self.lines)
        if waiting >= self.FLUSH_AT:
            self.wake.set()
        return len(lines)

    def _run(self) -> None:
        while True:
            self.wake.wait(settings.ANALYTICS_BATCH_MS / 1000)
            self.wake.clear()
            try:
                self.flush()
            except Exception:  # the thread must outlive a Redis outage
                logger.warning("analytics events not pushed to Redis yet", exc_info=True)

    def flush(self) -> int:
        if self.pid != os.getpid():
            return 0
        with self.pushing:  # a caller returns only once what was staged before is in Redis
            return self._push()

    def _push(self) -> int:
        with self.lock:
            lines, self.lines = self.lines, []
        if not lines:
            return 0
        try:
            pipe = get_redis().pipeline(transaction=False)
            for start in range(0, len(lines), 1000):
                pipe.rpush(PENDING_KEY, *lines[start:start + 1000])
            length = pipe.execute()[-1]
        except Exception:
            with self.lock:  # try again next time, within reason
                self.lines[:0] = lines[-self.KEEP_ON_ERROR:]
            raise
        self.full = length >= settings.ANALYTICS_BUFFER_MAX
        return len(lines)


_batcher = _Batcher()


def flush_local() -> int:
    """Push this process's staged events to Redis now (the timer, tests, shutdown)."""
    return _batcher.flush() if get_redis() is not None else 0
