"""Run scenarios: the floor and the scenario in alternating slices on one server; report.

``run()`` is what ``rongmei bench`` calls. Each scenario's report is a flat JSON-able dict
with at least ``scenario, requests, rps, p50_ms, p95_ms, p99_ms, errors, floor_rps, ratio``
(``ratio = rps / floor_rps``), plus whatever the scenario's ``report()`` adds.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rongmei.core.management.commands.serve import default_workers

from . import BenchError
from .load import LoadResult, drive
from .scenarios import FLOOR, Scenario, Target, get_scenario
from .stack import Server, Stack

Log = Callable[[str], None]
# Through nginx a micro-cached page is measured against a static file of the same size.
NGINX_TARGET_RATIO = 0.85
NGINX_CONCURRENCY = 64  # the issue's own hand measurement: wrk, 64 connections
NGINX_GENERATOR_THREADS = 1  # one wrk thread takes at most one core: nginx keeps the other


@dataclass(frozen=True)
class Options:
    duration: float = 10.0  # seconds measured for the floor, and again for the scenario
    rounds: int = 10  # the two are measured in alternating slices, at least a second each
    warmup: float = 2.0  # seconds of unmeasured load on each before measuring
    concurrency: int = 16  # connections, each with one request in flight
    workers: int = 0  # gunicorn workers; 0 means 2 × cores + 1
    load_processes: int = 2  # processes generating the load
    max_requests: int = 1_000_000  # per phase: a phase stops at this or at the duration
    fresh: bool = False  # recreate the PostgreSQL bench database
    keep: bool = False  # keep the temporary directory (logs, SQLite file) for inspection
    via_nginx: bool = False  # through deploy/nginx.conf's micro-cache, against a static file


def run(names: list[str], options: Options, *, log: Log = print,
        environ: dict | None = None) -> Iterator[dict]:
    """Set up the stack once, then measure each scenario; yields one report per scenario."""
    scenarios = [get_scenario(name) for name in names]  # unknown names fail before any work
    workers = options.workers or default_workers()
    with Stack(environ=environ, fresh=options.fresh, keep=options.keep,
               snapshots=options.via_nginx) as stack:
        log(f"基准环境：{stack.description}；工作目录 {stack.workdir}；"
            f"本机 {os.cpu_count()} 核，1 分钟负载 {os.getloadavg()[0]:.2f}")
        started = time.monotonic()
        contexts = stack.prepare(names)
        log(f"准备完成（collectstatic、migrate、seed-demo）：{time.monotonic() - started:.1f} 秒")
        with stack.serve(workers=workers) as server:
            log(f"gunicorn 已启动：http://{server.host}:{server.port}/，"
                f"{workers} 个工作进程（生产配置，DEBUG 关闭）")
            for scenario in scenarios:
                context = contexts.get(scenario.name, {})
                with stack.background(scenario, context,
                                      seconds=options.warmup * 2 + options.duration * 2 + 60
                                      ) as background:
                    if options.via_nginx:
                        report = measure_via_nginx(stack, server, scenario, context, options,
                                                   log=log)
                    else:
                        report = measure(server, scenario, context, options, log=log)
                report.update(background.report())
                if scenario.verifies:
                    report.update(stack.verify(scenario.name, contexts.get(scenario.name, {})))
                report["database"] = stack.database.engine
                report["cache"] = "redis" if stack.redis_url else "locmem"
                yield report
        if options.keep:
            log(f"保留工作目录：{stack.workdir}")


def measure_via_nginx(stack, server: Server, scenario: Scenario, context: dict,
                      options: Options, *, log: Log = print) -> dict:
    """The scenario through nginx (deploy/nginx.conf's micro-cache) against nginx serving a
    static file of the size of the scenario's first response: the machine's floor.

    Measured twice, with wrk (``bench/wrk.py``), the static file and the page alternating
    each time. First as deployed (``worker_processes auto``), the generator sharing the
    cores: the figure the issue's target is set against. Then with nginx alone on the last
    core and the generator pinned to the first, so that nginx is the only bottleneck and
    the quotient is what one page costs nginx against one file (``*_nginx_bound``)."""
    from . import nginx, wrk

    first = scenario.targets(context)[0]
    _, _, body = nginx.fetch(server.port, first.path, first.headers)
    snapshots = (stack.snapshot_dir, stack.snapshot_include(first.path)) \
        if stack.snapshot_dir else None
    cores = os.cpu_count() or 1
    phases = [("", None)] + ([("_nginx_bound", cores - 1)]
                             if cores > 1 and shutil.which("taskset") else [])
    report: dict = {}
    for suffix, cpu in phases:
        with nginx.running(workdir=stack.workdir, upstream_port=server.port,
                           static_size=len(body), cpu=cpu,
                           snapshots=snapshots) as port:
            how = "部署配置" if cpu is None else f"单个工作进程固定在第 {cpu} 核，wrk 固定在第 0 核"
            log(f"nginx 已启动：http://{server.host}:{port}/（deploy/nginx.conf 的微缓存，{how}；"
                f"静态文件 {len(body)} 字节作为基线）")
            for target in scenario.targets(context):  # wrk counts any answer below 400 as good
                status = nginx.fetch(port, target.path, target.headers)[0]
                if status != 200:
                    raise BenchError(f"经 nginx 访问 {target.path} 返回 {status}，应为 200")
            front = Server(server.host, port, server.workers, server.log_path)
            # Django's page-cache header is not tallied: through nginx the micro-cache
            # answers, and what it says is sampled after the load instead.
            measured = measure(front, scenario, context, options, log=log,
                               floor_target=Target(nginx.STATIC_PATH),
                               driver=functools.partial(wrk.drive,
                                                        cpu=None if cpu is None else 0),
                               tally=False, target_ratio=NGINX_TARGET_RATIO)
            if not suffix:
                report.update(measured)
                report.update(nginx.variants_check(port, first.path))
                report["micro_cache_statuses"] = nginx.cache_statuses(port, first.path)
                report.update({"static_rps": measured["floor_rps"],
                               "ratio_to_static": measured["ratio"]})
            else:
                report.update({f"rps{suffix}": measured["rps"],
                               f"static_rps{suffix}": measured["floor_rps"],
                               f"ratio_to_static{suffix}": measured["ratio"],
                               f"p99_ms{suffix}": measured["p99_ms"]})
                report["errors"] += measured["errors"]
                report["floor_errors"] += measured["floor_errors"]
    report.update({"via": "nginx", "response_bytes": len(body),
                   "target_ratio_to_static": NGINX_TARGET_RATIO, "generator": "wrk",
                   "generator_threads": options.load_processes})
    return report


def measure(server: Server, scenario: Scenario, context: dict, options: Options, *,
            log: Log = print, floor_target: Target = FLOOR, driver=drive,
            tally: bool = True, target_ratio: float | None = None) -> dict:
    """Measure the floor and the scenario with the same driver, in alternating slices.

    Floor, scenario, floor, scenario …: whatever else the machine is doing drifts over
    seconds, and alternating makes both phases share it, so the ratio stays fair.
    """
    floor_load = _loader(server, [floor_target], options, driver=driver)
    scenario_load = _loader(server, scenario.targets(context), options,
                            scenario.tally_header if tally else None, driver=driver)
    if options.warmup > 0:  # fills caches, lets every worker import what it lazily needs
        floor_load(options.warmup)
        scenario_load(options.warmup)
    rounds = max(1, min(options.rounds, int(options.duration)))
    recycled_before = server.worker_recycles()
    floors, results = [], []
    for _ in range(rounds):
        floors.append(floor_load(options.duration / rounds))
        results.append(scenario_load(options.duration / rounds))
    floor = LoadResult.combine(floors, concurrent=False)
    result = LoadResult.combine(results, concurrent=False)
    log(f"[{scenario.name}] 基线 GET {floor_target.path}：{_describe(floor)}")
    log(f"[{scenario.name}] {scenario.summary}：{_describe(result)}")
    ratio = result.rps / floor.rps if floor.rps else 0.0
    target_ratio = target_ratio or scenario.target_ratio
    goal = f"（目标 ≥ {target_ratio}）" if target_ratio else ""
    log(f"[{scenario.name}] 比值 {ratio:.2f}{goal}")
    for sample in floor.error_samples + result.error_samples:
        log(f"[{scenario.name}] 错误示例：{sample}")

    report = {
        "scenario": scenario.name,
        "requests": result.requests,
        "rps": round(result.rps, 1),
        "p50_ms": round(result.percentile_ms(50), 2),
        "p95_ms": round(result.percentile_ms(95), 2),
        "p99_ms": round(result.percentile_ms(99), 2),
        "errors": result.errors,
        "floor_rps": round(floor.rps, 1),
        "ratio": round(ratio, 3),
        "floor_requests": floor.requests,
        "floor_p50_ms": round(floor.percentile_ms(50), 2),
        "floor_p99_ms": round(floor.percentile_ms(99), 2),
        "floor_errors": floor.errors,
        "reconnects": floor.reconnects + result.reconnects,
        "duration_s": options.duration,
        "rounds": len(results),
        "concurrency": options.concurrency,
        "workers": server.workers,
        "worker_recycles": server.worker_recycles() - recycled_before,
        "loadavg_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews figures
    }
    if target_ratio is not None:
        report["target_ratio"] = target_ratio
    if tally:
        report.update(scenario.report(result, context))
    return report


def _loader(server: Server, targets: list[Target], options: Options,
            tally_header: str | None = None, *, driver=drive) -> Callable[[float], LoadResult]:
    """A function that sends ``seconds`` of load; successive calls (warm-up, slices) continue
    through the target list instead of starting it again."""
    offset = 0

    def load(seconds: float) -> LoadResult:
        nonlocal offset
        share = max(1, round(options.max_requests * seconds / options.duration))
        result = driver(host=server.host, port=server.port, targets=targets,
                       concurrency=options.concurrency, duration=seconds, max_requests=share,
                       processes=options.load_processes, tally_header=tally_header,
                       offset=offset)
        offset += options.concurrency * result.sent_max
        return result

    return load


def _describe(result: LoadResult) -> str:
    return (f"{result.rps:,.0f} 请求/秒，共 {result.requests} 个，"
            f"p50 {result.percentile_ms(50):.1f} ms，p95 {result.percentile_ms(95):.1f} ms，"
            f"p99 {result.percentile_ms(99):.1f} ms，错误 {result.errors}")
