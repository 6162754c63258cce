"""Read counts without a database write per view, and the counts feeds show.

Hot path (``read_beacon``), with Redis: one round trip running a small Lua script —
``SET seen-key NX EX ttl`` (the key names the Asia/Shanghai day, the page and the reader) and,
only when that key was new, ``HINCRBY`` of the page's field in the pending-counts hash. A
repeated view the same day changes nothing. No SQL at all for an anonymous reader.

``reads_flush`` (the ``engage_flush`` command, every minute, and the ``flush_reads`` task)
moves the pending hash into ``PageStats``: ``RENAME`` takes the hash away atomically (beacons
arriving meanwhile start a fresh one), and the batch is applied in one transaction that also
inserts a ``ReadFlush`` row named by the batch id. If a flush dies after RENAME, the next one
finds the leftover batch key and applies it; if it dies after the commit but before deleting
the key, the unique ``ReadFlush.batch`` makes the retry a no-op. Nothing lost, nothing doubled.

Without Redis (the SQLite demo, one process): the day's dedupe key lives in Django's cache
(``cache.add``) and a counted read is written straight to ``PageStats`` with an F-expression —
one UPDATE per reader per page per day, never per view. There is nothing to flush.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from rongmei.core.redis import get_redis

from .models import PageStats, ReadFlush

logger = logging.getLogger("rongmei.engage")

PENDING_KEY = "engage:reads:pending"
FLUSHING_PREFIX = "engage:reads:flushing:"
SEEN_PREFIX = "engage:seen:"
DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_PAGE_ID = 2**31 - 1
FLUSH_CHUNK = 500
FLUSH_KEEP_DAYS = 7

_SEEN_THEN_COUNT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  if KEYS[2] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end
  return 1
end
return 0
"""


class PageStatsTuple(NamedTuple):
    reads: int
    likes: int
    comments: int
    shares: int


ZERO = PageStatsTuple(0, 0, 0, 0)


@lru_cache(maxsize=4)
def _script(client):
    return client.register_script(_SEEN_THEN_COUNT)


def reader_id(*, user=None, device: str = "", fallback: str = "") -> str:
    """Who read: the account when signed in, else the device id made by our JS (a
    first-party cookie / localStorage value), else a hash of address and browser."""
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    if device and DEVICE_RE.match(device):
        return f"d{device}"
    return "h" + hashlib.blake2b(fallback.encode(), digest_size=10).hexdigest()


def _day_window(now: datetime) -> tuple[str, int]:
    """The county's day (Asia/Shanghai) as YYYYMMDD and seconds until an hour past its end
    (the dedupe key must outlive the day it names, never the next one's)."""
    local = timezone.localtime(now)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return f"{local:%Y%m%d}", int((midnight - local).total_seconds()) + 3600


def first_today(kind: str, page_id: int, who: str, *, now: datetime | None = None,
                count_read: bool = False) -> bool:
    """True the first time (kind, page, who) happens in the county's day; with Redis and
    ``count_read``, the same round trip adds one to the page's pending reads."""
    day, ttl = _day_window(now or timezone.now())
    key = f"{SEEN_PREFIX}{kind}:{day}:{page_id}:{who}"
    client = get_redis()
    if client is not None:
        import redis

        keys = [key, PENDING_KEY if count_read else ""]
        try:
            return bool(_script(client)(keys=keys, args=[ttl, page_id]))
        except redis.RedisError:
            # A read beacon must never fail the page: the view goes uncounted.
            logger.warning("read beacon not counted: Redis unavailable", exc_info=True)
            return False
    return cache.add(key, 1, timeout=ttl)


def read_recorded(page_id: int, who: str, *, now: datetime | None = None) -> bool:
    """Count one read of ``page_id`` by ``who`` unless already counted today; True if counted.

    With Redis this touches no database. Without Redis a counted read is one UPDATE.
    """
    if get_redis() is not None:
        return first_today("read", page_id, who, now=now, count_read=True)
    if not first_today("read", page_id, who, now=now):
        return False
    _add_reads({page_id: 1})
    return True


def _add_reads(counts: dict[int, int]) -> int:
    """Add ``counts`` to PageStats.reads, creating rows for live pages that have none.
    Pages that do not exist (a forged beacon) are dropped. Returns the reads applied."""
    from wagtail.models import Page

    if not counts:
        return 0
    known = set(Page.objects.filter(pk__in=list(counts)).values_list("pk", flat=True))
    ensure_stats_rows(known)
    applied = 0
    ids = sorted(known)
    for start in range(0, len(ids), FLUSH_CHUNK):
        chunk = ids[start:start + FLUSH_CHUNK]
        increment = Case(*[When(pk=pid, then=Value(counts[pid])) for pid in chunk],
                         default=Value(0))
        PageStats.objects.filter(pk__in=chunk).update(reads=F("reads") + increment)
        applied += sum(counts[pid] for pid in chunk)
    return applied


def ensure_stats_rows(page_ids) -> None:
    """Make sure each page has its PageStats row (concurrent creators are harmless)."""
    page_ids = list(page_ids)
    if page_ids:
        PageStats.objects.bulk_create([PageStats(page_id=pid) for pid in page_ids],
                                      ignore_conflicts=True)


class FlushResult(NamedTuple):
    batches: int
    pages: int
    reads: int


def _apply_batch(client, key: str) -> tuple[int, int]:
    batch = key[len(FLUSHING_PREFIX):]
    raw = client.hgetall(key)
    counts: dict[int, int] = {}
    for field, value in raw.items():
        try:
            page_id, amount = int(field), int(value)
        except ValueError:
            continue
        if 0 < page_id <= MAX_PAGE_ID and amount > 0:
            counts[page_id] = amount
    applied = 0
    try:
        with transaction.atomic():
            ReadFlush.objects.create(batch=batch, pages=len(counts),
                                     reads=sum(counts.values()))
            applied = _add_reads(counts)
    except IntegrityError:  # another flusher applied (and committed) this batch
        logger.info("read batch %s already applied", batch)
        applied = 0
    client.delete(key)
    return len(counts), applied


def reads_flush(*, now: datetime | None = None) -> FlushResult:
    """Move pending read counts from Redis into PageStats, exactly once. Safe to run in
    several processes at once. Without Redis there is nothing pending (reads are written
    directly) and this only prunes old ``ReadFlush`` rows."""
    now = now or timezone.now()
    client = get_redis()
    batches = pages = reads = 0
    if client is not None:
        leftovers = [k.decode() if isinstance(k, bytes) else k
                     for k in client.scan_iter(match=FLUSHING_PREFIX + "*", count=200)]
        fresh = FLUSHING_PREFIX + uuid.uuid4().hex
        try:
            client.rename(PENDING_KEY, fresh)
        except Exception as exc:  # redis.ResponseError: no such key — nothing pending
            if "no such key" not in str(exc).lower():
                raise
        else:
            leftovers.append(fresh)
        for key in leftovers:
            p, r = _apply_batch(client, key)
            batches, pages, reads = batches + 1, pages + p, reads + r
    ReadFlush.objects.filter(created_at__lt=now - timedelta(days=FLUSH_KEEP_DAYS)).delete()
    return FlushResult(batches, pages, reads)


def pending_reads(page_id: int) -> int:
    """Reads counted but not yet flushed (0 without Redis)."""
    client = get_redis()
    if client is None:
        return 0
    return int(client.hget(PENDING_KEY, str(page_id)) or 0)


def stats_for(page_ids) -> dict[int, PageStatsTuple]:
    """Counts for feeds, in one query: {page_id: PageStatsTuple(reads, likes, comments,
    shares)}; pages without a row get zeros."""
    ids = [int(pid) for pid in page_ids]
    if not ids:
        return {}
    rows = PageStats.objects.filter(pk__in=ids).values_list(
        "page_id", "reads", "likes", "comments", "shares")
    found = {row[0]: PageStatsTuple(*row[1:]) for row in rows}
    return {pid: found.get(pid, ZERO) for pid in ids}
