"""Feed cost at 1,000 and at 100,000 stories, each site in its own database.

``python -m bench.feed_scale [--small 1000] [--large 100000] [--queries 100] [--rounds 6]``
(``rongmei bench feed-scale``). Two child processes each create a throwaway database of the
configured kind (``DATABASE_URL``: SQLite by default, PostgreSQL when it points there),
bulk-load their site's stories *with covers* (``news.bulk.bulk_stories``) and answer the
parent's requests: "time N reads of the app feed API at random cursor depths". The parent
alternates the two sites batch by batch, so whatever else the machine does drifts over both
alike, and prints one JSON line with the p50 of each and their ``quotient`` (target ≤ 1.3).
Each read is ``GET /api/v1/news/feed?cursor=…`` through Django's test client in the child
(routing, ninja, the keyset query, covers and their renditions, counters), no network.
Children are killed in ``finally``; each drops its database on exit unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_QUOTIENT = 1.3
CHILD_TIMEOUT = 3600  # seconds: seeding 100,000 stories on a loaded machine, then the reads


def child(size: int, queries: int, keep: bool) -> None:
    """Seed a site of ``size`` stories, then answer "run" lines with timings (ms, JSON)."""
    import random

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongmei.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from rongmei.news import selectors, services
    from rongmei.news.bulk import bulk_stories
    from rongmei.news.models import Channel, FeedEntry

    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = (f"bench_feed_{size}_{os.getpid()}" if connection.vendor ==
                             "postgresql" else os.path.join(os.environ["BENCH_TMP"],
                                                            f"feed_{size}.sqlite3"))
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        services.ensure_newsroom()
        channel = Channel.objects.create(name="要闻", slug="yaowen")
        started = time.perf_counter()
        bulk_stories(channel=channel, count=size, prefix=f"s{size}", covers=True)
        seeded = time.perf_counter() - started
        rng = random.Random(size)
        rows = FeedEntry.objects.order_by("-published_at", "-page_id")
        depths = [rng.randrange(max(1, size - selectors.PAGE_SIZE - 1)) for _ in range(queries)]
        cursors = [selectors.encode_cursor(rows[d:d + 1].get()) for d in depths]
        client = Client()
        for cursor in cursors[:10]:  # warm: renditions of the covers, caches, the planner
            assert client.get("/api/v1/news/feed", {"cursor": cursor}).status_code == 200
        print(json.dumps({"ready": True, "stories": FeedEntry.objects.count(),
                          "covers": FeedEntry.objects.exclude(cover=None).count(),
                          "seed_s": round(seeded, 1), "database": connection.vendor}),
              flush=True)
        for line in sys.stdin:
            if line.strip() != "run":
                break
            timings = []
            for cursor in cursors:
                started = time.perf_counter()
                response = client.get("/api/v1/news/feed", {"cursor": cursor})
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                assert len(response.json()["items"]) == selectors.PAGE_SIZE
            print(json.dumps(timings), flush=True)
    finally:
        if not keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def _start(size: int, args, environ) -> subprocess.Popen:
    command = [sys.executable, "-m", "bench.feed_scale", "--child", str(size),
               "--queries", str(args.queries)] + (["--keep"] if args.keep else [])
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=environ, start_new_session=True)


def _read_json(process: subprocess.Popen):
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"feed-scale child exited with {process.wait()}")
    return json.loads(line)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            process.stdin.close()  # the child's loop ends, it drops its database
            process.wait(timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.feed_scale")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int,
                        default=int(os.environ.get("BENCH_FEED_STORIES", "100000")))
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.queries, args.keep)
        return {}

    with tempfile.TemporaryDirectory(prefix="rongmei-feed-scale-") as tmp:
        environ = {**os.environ, "BENCH_TMP": tmp, "MEDIA_ROOT": os.path.join(tmp, "media"),
                   "RONGMEI_DATA_DIR": tmp}
        environ.pop("REDIS_URL", None)  # each site its own process cache, as two servers
        environ["REQUEST_LOG"] = "0"
        processes = {}
        try:
            for size in (args.small, args.large):
                processes[size] = _start(size, args, environ)
            sites = {size: _read_json(process) for size, process in processes.items()}
            timings = {size: [] for size in processes}
            deadline = time.monotonic() + CHILD_TIMEOUT
            for round_no in range(args.rounds):
                for size, process in processes.items():
                    if time.monotonic() > deadline:
                        raise RuntimeError("feed-scale took longer than its bound")
                    process.stdin.write("run\n")
                    process.stdin.flush()
                    batch = _read_json(process)
                    if round_no:  # the first round warms
                        timings[size].extend(batch)
        finally:
            for process in processes.values():
                _stop(process)
    small = statistics.median(timings[args.small])
    large = statistics.median(timings[args.large])
    report = {"bench": "feed-scale", "database": sites[args.small]["database"],
              "stories_small": sites[args.small]["stories"],
              "stories_large": sites[args.large]["stories"],
              "covers_large": sites[args.large]["covers"],
              "seed_large_s": sites[args.large]["seed_s"],
              "reads_each": len(timings[args.small]),
              "p50_small_ms": round(small, 3), "p50_large_ms": round(large, 3),
              "p95_small_ms": round(sorted(timings[args.small])[int(len(timings[args.small]) * .95) - 1], 3),
              "p95_large_ms": round(sorted(timings[args.large])[int(len(timings[args.large]) * .95) - 1], 3),
              "quotient": round(large / small, 3) if small else None,
              "target_quotient": TARGET_QUOTIENT,
              "loadavg_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(report, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
