"""``rongmei bench SCENARIO``: a scenario's throughput as a ratio to the hello-world floor.

The work is done by the top-level ``bench`` package; docs/benchmarks.md explains the
scenarios, the figures and the targets. Human-readable lines come first; the last line of
output is the JSON report (one JSON line per scenario when several are named).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bench import BenchError
from bench.runner import NGINX_CONCURRENCY, NGINX_GENERATOR_THREADS, Options, default_workers, run
from bench.scenarios import SCENARIOS

# In-process benchmarks with no server: run as they are, each printing its own JSON line.
STANDALONE = {"live-comments": ("bench.live_comments",
                                "直播评论：2000名观众×每秒100条（SSE，1个与2个进程共享Redis）"),
              "wordgate-scan": ("bench.wordgate_scan",
                                "敏感词检查：5万词库扫描3000字稿件，加强归一化前后的吞吐"),
              "news-search": ("bench.news_search",
                              "新闻搜索：10万篇稿件，带标注的117个查询的延迟（进程内，SQLite 或 PostgreSQL）"),
              "feed-scale": ("bench.feed_scale",
                             "稿件流：千条与十万条（带封面）两个站点各用一个数据库，游标翻页 p50 之比")}


class Command(BaseCommand):
    help = "Benchmark a scenario against the /_hello floor on a production-profile gunicorn."

    def add_arguments(self, parser):
        defaults = Options()
        parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                            help=f"one or more of: {', '.join(SCENARIOS)}")
        parser.add_argument("--duration", type=float, default=defaults.duration,
                            help="seconds measured for the floor and again for the scenario "
                                 "(default %(default)s)")
        parser.add_argument("--rounds", type=int, default=defaults.rounds,
                            help="alternate floor and scenario this many times, each slice "
                                 "at least a second (default %(default)s)")
        parser.add_argument("--warmup", type=float, default=defaults.warmup,
                            help="seconds of unmeasured load before each (default %(default)s)")
        parser.add_argument("--concurrency", type=int, default=None,
                            help="keep-alive connections, one request in flight each "
                                 f"(default {defaults.concurrency}; {NGINX_CONCURRENCY} "
                                 "with --via-nginx)")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="gunicorn workers (default 2 × cores + 1 = %(default)s)")
        parser.add_argument("--load-processes", type=int, default=None,
                            help="processes generating the load (default "
                                 f"{defaults.load_processes}; with --via-nginx, wrk threads, "
                                 f"default {NGINX_GENERATOR_THREADS})")
        parser.add_argument("--max-requests", type=int, default=defaults.max_requests,
                            help="stop a phase after this many requests (default %(default)s)")
        parser.add_argument("--fresh", action="store_true",
                            help="drop and recreate the PostgreSQL bench database first")
        parser.add_argument("--keep", action="store_true",
                            help="keep the temporary directory (server log, SQLite file)")
        parser.add_argument("--via-nginx", action="store_true",
                            help="through deploy/nginx.conf (micro-cache, loopback, no TLS), "
                                 "against nginx serving a static file of the same size")

    def handle(self, *args, scenarios, **options):
        if not scenarios:
            self.stdout.write("可用场景（rongmei bench SCENARIO）：")
            for name, scenario in SCENARIOS.items():
                self.stdout.write(f"  {name:<16}{scenario.summary}")
            for name, (_module, summary) in STANDALONE.items():
                self.stdout.write(f"  {name:<16}{summary}")
            return
        for name in [s for s in scenarios if s in STANDALONE]:
            from importlib import import_module
            try:
                import_module(STANDALONE[name][0]).main([])
            except BenchError as exc:
                raise CommandError(str(exc)) from exc
        scenarios = [s for s in scenarios if s not in STANDALONE]
        if not scenarios:
            return
        defaults, via = Options(), options["via_nginx"]
        if options["concurrency"] is None:
            options["concurrency"] = NGINX_CONCURRENCY if via else defaults.concurrency
        if options["load_processes"] is None:
            options["load_processes"] = NGINX_GENERATOR_THREADS if via else defaults.load_processes
        if min(options["duration"], options["rounds"], options["concurrency"],
               options["workers"], options["load_processes"], options["max_requests"]) <= 0:
            raise CommandError("--duration、--rounds、--concurrency、--workers、"
                               "--load-processes 和 --max-requests 必须为正数")

        bench_options = Options(
            duration=options["duration"], rounds=options["rounds"], warmup=options["warmup"],
            concurrency=options["concurrency"], workers=options["workers"],
            load_processes=options["load_processes"], max_requests=options["max_requests"],
            fresh=options["fresh"], keep=options["keep"], via_nginx=options["via_nginx"],
        )
        failed = oversold = 0
        try:
            for report in run(scenarios, bench_options, log=self.stdout.write):
                self.stdout.write(json.dumps(report, ensure_ascii=False))
                failed += report["errors"] + report["floor_errors"]
                oversold += report.get("oversold", 0)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        if oversold:
            raise CommandError(f"超发 {oversold} 张：这是正确性错误，不是性能问题")
        if failed:
            raise CommandError(f"{failed} 个请求出错，这次的数字不可信（见上面的错误示例）")
