"""News search latency: ``python -m bench.news_search [--stories 20000] [--repeat 15]``.

Creates a throwaway database of the configured kind (``DATABASE_URL``: SQLite by default,
PostgreSQL when it points there), migrates it, seeds N stories directly as ``FeedEntry``
rows (text recombined from the labelled test corpus, with numbered villages so that the
vocabulary grows with N), runs every query of the labelled set ``--repeat`` times through
``rongmei.news.search.search`` and prints one JSON line: p50/p95 latency in milliseconds,
the number of stories and the mean number of hits. The database is dropped afterwards
unless ``--keep``. Figures: ``rongmei/news/SEARCH.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time


def _story_text(rng: random.Random, clauses: list[str], titles: list[str], n: int):
    title = f"{rng.choice(titles)}（第{n % 997}期）"
    village = f"第{rng.randrange(1, 400)}村民小组"
    body = "，".join(rng.sample(clauses, rng.randrange(6, 14))) + f"。{village}群众反映良好。"
    return title, body


def _drop_feed_foreign_keys(connection) -> None:
    """The seeded rows have no pages behind them; in this throwaway database that is fine."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'f' "
                           "AND conrelid = 'news_feedentry'::regclass")
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE news_feedentry DROP CONSTRAINT "{name}"')
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")


def seed(n: int, *, seed: int = 20261126) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from rongmei.news.models import FeedEntry
    from rongmei.news.search import index_text_of
    from rongmei.news.tests.search_corpus import STORIES

    rng = random.Random(seed)
    titles = [title for title, _, _ in STORIES.values()]
    clauses = [c for _, body, _ in STORIES.values()
               for c in body.replace("。", "，").replace("；", "，").split("，") if c]
    _drop_feed_foreign_keys(connection)
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for i in range(1, n + 1):
        title, body = _story_text(rng, clauses, titles, i)
        batch.append(FeedEntry(page_id=i, kind="article", title=title, summary=body[:90],
                               url=f"/news/{i}/", published_at=now - timezone.timedelta(
                                   minutes=i), search_text=index_text_of(title, body)))
        if len(batch) == 1000 or i == n:
            with transaction.atomic():
                FeedEntry.objects.bulk_create(batch)
            batch = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE news_feedentry")
    return time.perf_counter() - started


def measure(repeat: int) -> dict:
    from rongmei.news.search import search
    from rongmei.news.tests.search_corpus import RELEVANT

    queries = list(RELEVANT)
    for query in queries:  # warm: jieba's dictionary, caches, the planner
        search(query)
    timings, hits = [], []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            results = search(query)
            timings.append((time.perf_counter() - started) * 1000)
            hits.append(len(results))
    timings.sort()
    return {"queries": len(queries), "runs": len(timings),
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "max_ms": round(timings[-1], 2),
            "mean_hits": round(statistics.fmean(hits), 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.news_search")
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongmei.config.settings")
    import django

    django.setup()
    from django.db import connection

    from rongmei.news.models import FeedEntry

    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "postgresql":
        test_settings["NAME"] = f"bench_news_search_{os.getpid()}"
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        seconds = seed(args.stories)
        report = {"bench": "news-search", "database": connection.vendor,
                  "stories": FeedEntry.objects.count(), "seed_s": round(seconds, 1),
                  **measure(args.repeat)}
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    print(json.dumps(report, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
