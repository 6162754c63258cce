"""The aggregation timer: buffer → raw ``Event`` rows → the daily tables.

``aggregate()`` (the ``analytics_aggregate`` command, every five minutes) does three steps,
each safe to repeat:

1. **Move.** Every claimed batch is read in chunks; each chunk is inserted in one transaction
   together with its ``IngestBatch`` row, whose key (``batch:offset``) is unique — so a chunk
   committed before a crash is skipped by the retry, never inserted twice. A batch is
   discarded from the buffer only after all its chunks are in.
2. **Rebuild.** For every day a not-yet-aggregated chunk touched, ``DailyCount`` is deleted
   and recomputed from the raw events of that day by one ``GROUP BY``; ``DeviceDay`` rows are
   inserted (ignoring those that exist) and ``Device`` rows created or widened (first day =
   the earliest, last day = the latest). All of this is a function of the raw events alone,
   so running it twice, or after Redis lost its buffer, gives the same tables. The chunks are
   marked aggregated in the same transaction.
3. **Purge.** Raw events older than ``ANALYTICS_RAW_RETENTION_DAYS`` are deleted (with their
   ingest rows); aggregates stay.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from . import buffer
from .events import decode
from .models import DailyCount, Device, DeviceDay, Event, EventName, IngestBatch

logger = logging.getLogger("rongmei.analytics")


@dataclass
class AggregateResult:
    moved: int = 0  # events inserted as raw rows this run
    skipped_chunks: int = 0  # chunks a previous run had already inserted
    days: list[date] = field(default_factory=list)  # days whose tables were rebuilt
    purged: int = 0
    move_s: float = 0.0  # time moving the buffer into raw rows
    rebuild_s: float = 0.0  # time rebuilding the touched days from their raw rows
    rebuilt_events: int = 0  # raw rows of the rebuilt days (the rebuild's work)

    def summary(self) -> str:
        days = "、".join(f"{d:%m-%d}" for d in self.days) or "无"
        return (f"新入库事件 {self.moved} 条（跳过已入库批次 {self.skipped_chunks} 个），"
                f"重建日表：{days}；清除过期原始事件 {self.purged} 条")


def aggregate(*, everything: bool = False, today: date | None = None) -> AggregateResult:
    result = AggregateResult()
    started = time.perf_counter()
    for batch in buffer.claim(everything=everything):
        for key, lines in batch.chunks():
            moved = move_chunk(key, lines)
            if moved is None:
                result.skipped_chunks += 1
            else:
                result.moved += moved
        batch.discard()
    result.move_s = time.perf_counter() - started
    started = time.perf_counter()
    result.days = rebuild_pending()
    result.rebuild_s = time.perf_counter() - started
    if result.days:
        result.rebuilt_events = Event.objects.filter(day__in=result.days).count()
    result.purged = purge(today=today)
    return result


def move_chunk(key: str, lines: list[bytes]) -> int | None:
    decoded = [line for raw in lines if (line := decode(raw)) is not None]
    days = sorted({line.day.isoformat() for line in decoded})
    try:
        with transaction.atomic():
            chunk = IngestBatch.objects.create(key=key, events=len(decoded), days=days)
            _insert_events(chunk, decoded)
    except IntegrityError:
        if IngestBatch.objects.filter(key=key).exists():
            return None  # committed by an earlier run that died before discarding the batch
        raise
    return len(decoded)


def _insert_events(chunk: IngestBatch, decoded) -> None:
    """Raw rows in bulk: PostgreSQL's COPY (several times faster than INSERT), else
    ``bulk_create``."""
    if connection.vendor == "postgresql":
        fields = ["batch_id", "received_at", "day", "name", "device", "user_id", "channel",
                  "page_id", "value", "code"]
        table = Event._meta.db_table
        statement = f'COPY {table} ({", ".join(fields)}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for line in decoded:
                copy.write_row((chunk.pk, line.received_at, line.day, line.name, line.device,
                                line.user_id, line.channel, line.page_id, line.value,
                                line.code))
        return
    Event.objects.bulk_create(
        [Event(batch=chunk, received_at=line.received_at, day=line.day, name=line.name,
               device=line.device, user_id=line.user_id, channel=line.channel,
               page_id=line.page_id, value=line.value, code=line.code)
         for line in decoded], batch_size=5000)


def rebuild_pending() -> list[date]:
    """Rebuild the days of every chunk not yet aggregated; mark them in the same transaction.

    The pending chunks are locked first, so two timers running at once take turns: the
    second finds them aggregated and rebuilds nothing (a rebuild is delete-then-insert, and
    two interleaved would leave a day's rows twice).
    """
    with transaction.atomic():
        pending = list(IngestBatch.objects.select_for_update().filter(aggregated=False)
                       .order_by("pk").values_list("pk", "days"))
        if not pending:
            return []
        days = sorted({date.fromisoformat(day) for _pk, chunk_days in pending
                       for day in chunk_days})
        for day in days:
            rebuild_day(day)
        IngestBatch.objects.filter(pk__in=[pk for pk, _days in pending]).update(aggregated=True)
    return days


def rebuild_day(day: date) -> None:
    """Make the day's aggregates equal to its raw events (call inside a transaction)."""
    raw = Event.objects.filter(day=day)
    DailyCount.objects.filter(day=day).delete()
    groups = (raw.values("name", "channel", "page_id", "code")
              .annotate(n=Count("pk"), d=Count("device", distinct=True), s=Sum("value"))
              .order_by())
    DailyCount.objects.bulk_create(
        [DailyCount(day=day, name=g["name"], channel=g["channel"], page_id=g["page_id"],
                    code=g["code"], events=g["n"], devices=g["d"], seconds=g["s"] or 0)
         for g in groups.iterator(chunk_size=5000)], batch_size=5000)
    _update_devices(day, raw)


def _update_devices(day: date, raw) -> None:
    seen = {row["device"]: row for row in
            raw.values("device").annotate(user=Max("user_id"), first=Min("received_at"))
            .order_by().iterator(chunk_size=5000)}
    if not seen:
        return
    # The 渠道码 a device brought on its first event of the day that carried one.
    coded = raw.exclude(code="")
    if connection.vendor == "postgresql":  # DISTINCT ON: one row per device, in the database
        coded = coded.order_by("device", "received_at", "pk").distinct("device")
    else:
        coded = coded.order_by("received_at", "pk")
    codes: dict[str, str] = {}
    for device, code in coded.values_list("device", "code").iterator(chunk_size=5000):
        codes.setdefault(device, code)
    installs = set(raw.filter(name=EventName.INSTALL).values_list("device", flat=True)
                   .distinct().iterator(chunk_size=5000))
    names = list(seen)
    for start in range(0, len(names), 5000):
        part = names[start:start + 5000]
        existing = {device.device: device for device in Device.objects.filter(device__in=part)}
        new, changed, returning = [], [], []
        for name in part:
            device = existing.get(name)
            user = seen[name]["user"]
            if device is None:
                new.append(Device(device=name, first_day=day, last_day=day, user_id=user,
                                  code=codes.get(name, ""),
                                  installed_on=day if name in installs else None))
                continue
            before = (device.first_day, device.last_day, device.user_id, device.code,
                      device.installed_on)
            if day < device.first_day:
                device.first_day = day
                device.code = codes.get(name, device.code)
            elif day == device.first_day and not device.code:
                device.code = codes.get(name, "")
            if day >= device.last_day:
                device.last_day = day
                device.user_id = user or device.user_id
            if name in installs and (device.installed_on is None or day < device.installed_on):
                device.installed_on = day
            after = (device.first_day, device.last_day, device.user_id, device.code,
                     device.installed_on)
            if after[:1] + after[2:] == before[:1] + before[2:] and after[1] != before[1]:
                returning.append(device.pk)  # the common case: one UPDATE for all of them
            elif after != before:
                changed.append(device)
        Device.objects.bulk_create(new, batch_size=5000)
        if returning:
            Device.objects.filter(pk__in=returning).update(last_day=day)
        if changed:
            Device.objects.bulk_update(changed, ["first_day", "last_day", "user_id", "code",
                                                 "installed_on"], batch_size=2000)
        ids = Device.objects.filter(device__in=part).values_list("pk", flat=True)
        DeviceDay.objects.bulk_create([DeviceDay(device_id=pk, day=day) for pk in ids],
                                      batch_size=5000, ignore_conflicts=True)


def purge(*, today: date | None = None) -> int:
    """Drop raw events past the retention period (privacy); the aggregates stay."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.ANALYTICS_RAW_RETENTION_DAYS)
    deleted, _ = Event.objects.filter(day__lt=cutoff).delete()
    # An ingest row is needed only while its buffer chunk could still be retried.
    IngestBatch.objects.filter(aggregated=True,
                               created_at__lt=timezone.now() - timedelta(days=2)).exclude(
        pk__in=Event.objects.values("batch_id")).delete()
    return deleted
