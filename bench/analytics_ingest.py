"""``rongmei bench analytics-ingest``: the beacon's throughput, its database writes, and the
aggregation timer's speed.

The load POSTs ``/analytics/collect`` with five events each (1,000 anonymous devices in
turn), answered 204. Afterwards ``verify`` (in the bench database's own process):

* counts the events that arrived in the buffer (Redis, or files without it);
* counts the database's row writes during the load — PostgreSQL's per-table counters
  (``n_tup_ins + n_tup_upd + n_tup_del`` over every table, read after the server's
  statistics have been flushed), or with SQLite the change in every table's row count —
  and reports ``db_writes_per_event`` (target: 0);
* tops the buffer up to ``BENCH_ANALYTICS_EVENTS`` events (default 300,000: 50,000 devices
  over the last 3 days), runs the aggregation timer once and reports its time scaled
  linearly to ten million events (``aggregate_s_per_10m``) together with the events it
  really aggregated.
"""

from __future__ import annotations

import json
import os

from .scenarios import Scenario, Target, register

EVENTS_PER_REQUEST = 5
DEVICES = 1_000
STATS_SETTLE_SECONDS = 12  # PostgreSQL flushes an idle backend's table counters within ~10 s


def _db_writes() -> int:
    from django.apps import apps
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                           "FROM pg_stat_user_tables")
            return int(cursor.fetchone()[0])
    return sum(model.objects.count() for model in apps.get_models()
               if not model._meta.proxy and model._meta.managed)


def _drain_buffer() -> None:
    from rongmei.analytics import buffer

    for batch in buffer.claim(everything=True):
        batch.discard()


@register
class AnalyticsIngest(Scenario):
    name = "analytics-ingest"
    summary = "埋点上报 POST /analytics/collect（每次5个事件；不写数据库，由定时任务汇总）"
    target_ratio = 0.8  # "analytics events are ingested at ≥ 80% of the floor"
    verifies = True

    def setup(self):
        from rongmei.analytics.devices import sign

        _drain_buffer()
        # Ids as the server issues them (POST /analytics/device), signed with the bench
        # site's key: the beacon refuses any other.
        return {"writes_before": _db_writes(),
                "devices": [sign(f"bench-device-{i:06d}") for i in range(DEVICES)]}

    def targets(self, context):
        targets = []
        for i, device in enumerate(context["devices"]):
            body = {"device": device, "events": [
                {"name": "app_open", "code": "BENCH-01"},
                {"name": "page_view", "channel": "yaowen", "page": 1 + i % 50},
                {"name": "read_time", "channel": "yaowen", "page": 1 + i % 50, "value": 37},
                {"name": "page_view", "channel": "minsheng", "page": 51 + i % 50},
                {"name": "share", "channel": "minsheng", "page": 51 + i % 50}]}
            targets.append(Target("/analytics/collect", method="POST",
                                  headers={"Content-Type": "application/json"},
                                  body=json.dumps(body), expect_status=204))
        return targets

    def report(self, result, context):
        return {"events_per_request": EVENTS_PER_REQUEST}

    def verify(self, context):
        import time

        from rongmei.analytics import aggregation, buffer

        time.sleep(STATS_SETTLE_SECONDS)
        writes = _db_writes() - context["writes_before"]
        arrived = buffer.pending_count()
        total = int(os.environ.get("BENCH_ANALYTICS_EVENTS", "300000"))
        _top_up(max(0, total - arrived))
        in_buffer = buffer.pending_count()
        started = time.perf_counter()
        result = aggregation.aggregate(everything=True)
        elapsed = time.perf_counter() - started
        # A run's cost: moving what is new, then rebuilding every touched day from all of
        # its raw rows. Each part is scaled by its own amount of work to ten million.
        per_10m = None
        if result.moved and result.rebuilt_events:
            per_10m = 10_000_000 * (result.move_s / result.moved
                                    + result.rebuild_s / result.rebuilt_events)
        return {
            "events_ingested": arrived,
            "db_writes_during_load": writes,
            "db_writes_per_event": round(writes / arrived, 6) if arrived else None,
            "aggregated_events": result.moved,
            "aggregated_days": len(result.days),
            "aggregate_s": round(elapsed, 2),
            "move_s": round(result.move_s, 2),
            "rebuild_s": round(result.rebuild_s, 2),
            "rebuilt_events": result.rebuilt_events,
            "aggregate_s_per_10m": round(per_10m, 1) if per_10m else None,
            "buffer_before_aggregate": in_buffer,
            "buffer_after_aggregate": buffer.pending_count(),
        }


def _top_up(count: int) -> None:
    """Add ``count`` synthetic events to the buffer (50,000 devices, the last three days),
    in the beacon's own line format, so the timer has a realistic mix to aggregate."""
    import random
    import time

    from django.conf import settings

    from rongmei.analytics import buffer

    if count <= 0:
        return
    rng = random.Random(7)
    now_ms = int(time.time() * 1000)
    names = ["app_open", "page_view", "page_view", "page_view", "read_time", "share", "search"]
    lines = []
    for _ in range(count):
        name = rng.choice(names)
        page = rng.randint(1, 400) if name in ("page_view", "read_time", "share") else None
        lines.append(json.dumps([now_ms - rng.randint(0, 3 * 86_400_000), name,
                                 f"bench-top-{rng.randint(0, 49_999):06d}", None,
                                 rng.choice(["yaowen", "minsheng", "xiangzhen", ""]), page,
                                 rng.randint(5, 300) if name == "read_time" else 0,
                                 rng.choice(["", "", "", "JG-01", "HD-LH"])],
                                separators=(",", ":")).encode())
    old_limit = settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE
    settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE = 10**12
    settings.ANALYTICS_BUFFER_MAX = 10**12
    try:
        for start in range(0, len(lines), 5000):
            buffer.append(lines[start:start + 5000], client_key="bench-top-up")
    finally:
        settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE = old_limit
