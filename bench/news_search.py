"""News search latency: ``python -m bench.news_search [--stories 20000] [--repeat 15]``.

Creates a throwaway database of the configured kind (``DATABASE_URL``: SQLite by default,
PostgreSQL when it points there), migrates it, seeds N stories directly as ``FeedEntry``
rows (a title of the labelled test corpus, one to three of its clauses, the rest everyday
newsroom words none of the queries asks for), runs every query of the labelled set ``--repeat`` times through
``rongmei.news.search.search`` and prints one JSON line: p50/p95 latency in milliseconds,
the number of stories, how many stories the queries match before the limit (median,
max) and the mean number returned. The database is dropped afterwards
unless ``--keep``. Figures: ``docs/benchmarks.md`` ("news-search").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time

# Everyday newsroom words that none of the labelled queries asks for: the bulk of each
# seeded story, so that a query's words are as rare as in real news (a few per cent of
# stories), not in every other story.
FILLER_WORDS = (
    "工作", "会议", "群众", "发展", "建设", "推进", "落实", "全县", "部门", "单位", "项目", "经济", "社会", "组织", "提升",
    "加强", "质量", "水平", "改革", "创新", "资金", "政策", "干部", "环境", "文化", "产业", "市场", "生态", "治理", "基层",
    "党员", "同志", "领导", "要求", "强调", "指出", "认真", "扎实", "持续", "稳步", "有效", "重点", "任务", "目标", "措施",
    "机制", "制度", "体系", "能力", "作风", "效率", "成效", "经验", "问题", "困难", "意见", "建议", "调研", "检查", "督导",
    "考核", "评估", "总结", "部署", "安排", "协调", "配合", "沟通", "宣传", "动员", "培训", "学习", "教育", "引导", "服务",
    "管理", "监督", "规范", "标准", "程序", "流程", "平台", "数据", "信息", "网络", "系统", "设施", "设备", "场所", "区域",
    "范围", "规模", "数量", "比例", "增长", "下降", "提高", "降低", "完成", "实现", "取得", "达到", "超过", "不足", "以上",
    "以下", "左右", "上半年", "下半年", "今年", "去年", "本月", "近日", "日前", "目前", "下一步", "同时", "此外", "其中",
    "特别", "积极", "主动", "及时", "全面", "深入", "广泛", "充分", "切实", "进一步", "高质量", "新时代", "现代化", "一体化",
    "城乡", "区域", "群体", "家庭", "居民", "百姓", "商户", "市民", "游客", "青年", "妇女", "儿童", "老人", "职工", "代表",
    "委员", "专家",
)


def _story_text(rng: random.Random, clauses: list[str], titles: list[str], n: int):
    title = f"{rng.choice(titles)}（第{n % 997}期）"
    village = f"第{rng.randrange(1, 400)}村民小组"
    parts = rng.sample(clauses, rng.randrange(1, 4))
    parts += ["".join(rng.choices(FILLER_WORDS, k=rng.randrange(4, 9)))
              for _ in range(rng.randrange(8, 16))]
    rng.shuffle(parts)
    body = "，".join(parts) + f"。{village}群众反映良好。"
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


class _Words:
    """``search_words`` of a seeded story without segmenting 30 million characters: the
    stories are made of a few hundred distinct clauses and words, each segmented once."""

    def __init__(self):
        self.cache: dict[str, str] = {}

    def section(self, text: str) -> str:
        from rongmei.news.search import words_of

        lines = []
        for part in text.replace("。", "，").split("，"):
            if part:
                if part not in self.cache:
                    self.cache[part] = words_of(part)
                lines.append(self.cache[part])
        return "\n".join(line for line in lines if line)

    def fields(self, title: str, summary: str, body: str) -> str:
        return "\t".join([self.section(title), self.section(summary), self.section(body)])


def seed(n: int, *, seed: int = 20261126) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from rongmei.news.models import FeedEntry
    from rongmei.news.search import index_text_of
    from rongmei.news.tests.search_corpus import STORIES

    rng = random.Random(seed)
    words = _Words()
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
                                   minutes=i), search_text=index_text_of(title, body[:90], body),
                               search_words=words.fields(title, body[:90], body)))
        if len(batch) == 1000 or i == n:
            with transaction.atomic():
                FeedEntry.objects.bulk_create(batch)
            batch = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE news_feedentry")
    return time.perf_counter() - started


def _matches(query: str) -> int:
    """How many stories match (before the limit): what the database has to rank."""
    from django.db import connection

    from rongmei.news.models import FeedEntry
    from rongmei.news.search import _match_condition, parse_query

    return FeedEntry.objects.filter(_match_condition(parse_query(query), connection)).count()


def measure(repeat: int) -> dict:
    from rongmei.news.search import search
    from rongmei.news.tests.search_corpus import RELEVANT

    queries = list(RELEVANT)
    matches = [_matches(query) for query in queries]
    for query in queries:  # warm: jieba's dictionary, caches, the planner
        search(query)
    timings, cpu, hits = [], [], []
    for _ in range(repeat):
        for query in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            results = search(query)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            hits.append(len(results))
    timings.sort()
    return {"queries": len(queries), "runs": len(timings),
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "max_ms": round(timings[-1], 2),
            # CPU time of this process: the whole search on SQLite, the client's share on
            # PostgreSQL; unlike the wall clock it does not grow with the machine's load.
            "p50_cpu_ms": round(statistics.median(cpu), 2),
            "median_matches": statistics.median(matches), "max_matches": max(matches),
            "mean_hits": round(statistics.fmean(hits), 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.news_search")
    parser.add_argument("--stories", type=int,
                        default=int(os.environ.get("BENCH_SEARCH_STORIES", "100000")))
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
