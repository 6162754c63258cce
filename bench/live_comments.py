"""Live comments for a crowd: ``rongmei bench live-comments`` or
``python -m bench.live_comments [--viewers 2000] [--rate 100] [--duration 10] [--processes 1,2]``.

Starts the comment stream (uvicorn with ``rongmei.config.asgi``, one or more processes
sharing Redis), connects ``--viewers`` SSE viewers to one room (spread over the processes),
and publishes ``--rate`` comments per second into it through ``live.fanout.publish`` — the
path an approved comment takes — with every 50th message a priority one (an announcement).
Every message carries its publish time; each viewer process measures delivery latency on a
sample of viewers (every ``--sample``-th one parses whole frames) and checks on *every*
viewer that each priority message arrived. The app processes' CPU time (from /proc) is
divided by the messages delivered to viewers.

Printed: one JSON line per process count, then the last line with the one-process figures
at the top level (``p50_ms``, ``p99_ms``, ``viewers``, ``msgs_per_s``, ``lost_priority``,
``cpu_us_per_delivered``) and the scale-out run under ``scale_out``. Targets (PRODUCT.md):
2,000 viewers × 100 msg/s on one process, p50 < 500 ms, p99 < 2 s, no lost priority.

Needs Redis (``REDIS_URL``): the processes share it, as in production. Ports come from
``BENCH_LIVE_PORT`` (default 8790 and up). On a shared, loaded machine the figures are noise;
the lead runs them on a quiet one. ``rongmei bench live-comments`` reads the sizes from
``BENCH_LIVE_VIEWERS``, ``BENCH_LIVE_RATE``, ``BENCH_LIVE_DURATION``, ``BENCH_LIVE_PROCESSES``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import BenchError

ROOM_ID = 990001  # a room id no county reaches; the bench marks it open in the cache
PRIORITY_EVERY = 50
PRIORITY_ID = re.compile(rb'"id":"P(\d+)"')


# --- viewers (run in child processes) -------------------------------------------------------

async def _viewer(index: int, host: str, port: int, sample: bool, state: dict, stop: asyncio.Event):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /live/stream/{ROOM_ID}?d=benchviewer{index:08d} HTTP/1.1\r\n"
                 f"Host: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")  # status line and headers
    state["connected"] += 1
    seen: set[int] = set()
    try:
        while not stop.is_set():
            try:
                block = await asyncio.wait_for(reader.readuntil(b"\n\n"), timeout=1.0)
            except TimeoutError:
                continue
            now = time.time()
            data = block[block.find(b"data: ") + 6:] if b"data: " in block else b""
            if not data.startswith(b"{"):
                continue  # chunk framing, the retry line or a ping
            state["delivered"] += data.count(b'"kind"')
            for found in PRIORITY_ID.finditer(data):
                seen.add(int(found.group(1)))
            if sample:
                frame = json.loads(data)
                for message in frame["p"] + frame["m"]:
                    if message.get("bench"):
                        state["latencies"].append(now - message["t"])
    except (asyncio.IncompleteReadError, ConnectionError):
        state["broken"] += 1
    finally:
        writer.close()
    state["seen"].append(seen)


def _viewer_process(indexes, ports, host, sample_every, ready, go_stop, results):
    async def main():
        state = {"connected": 0, "delivered": 0, "latencies": [], "seen": [], "broken": 0}
        stop = asyncio.Event()
        tasks = []
        for n, index in enumerate(indexes):
            tasks.append(asyncio.create_task(_viewer(
                index, host, ports[index % len(ports)], index % sample_every == 0, state, stop)))
            if n % 100 == 99:
                await asyncio.sleep(0.05)  # a crowd arriving, not a single burst
        while state["connected"] < len(indexes):
            await asyncio.sleep(0.05)
        ready.set()
        while not go_stop.is_set():
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        return state

    state = asyncio.run(main())
    results.put({"delivered": state["delivered"], "latencies": state["latencies"],
                 "seen": [sorted(s) for s in state["seen"]], "broken": state["broken"]})


# --- the app processes ----------------------------------------------------------------------

def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_port(host: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise BenchError(f"评论通道进程没有在 {timeout:.0f} 秒内监听 {host}:{port}")


def _start_apps(count: int, base_port: int, workdir: Path, frame_ms: int, cap: int):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rongmei.config.settings",
           "RONGMEI_ENV": "development", "DEBUG": "0", "REQUEST_LOG": "0",
           "RONGMEI_DATA_DIR": str(workdir), "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
           "LIVE_FRAME_MS": str(frame_ms), "LIVE_FRAME_CAP": str(cap)}
    processes = []
    for n in range(count):
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "rongmei.config.asgi:application",
             "--host", "127.0.0.1", "--port", str(base_port + n), "--no-access-log",
             "--log-level", "warning", "--lifespan", "on", "--loop", "uvloop",
             "--http", "httptools"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / f"app{n}.log", "w"),
            start_new_session=True))
    return processes


def _stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# --- one run --------------------------------------------------------------------------------

def run_once(*, viewers: int, rate: float, duration: float, processes: int, base_port: int,
             sample_every: int, frame_ms: int, cap: int, log=print) -> dict:
    from django.core.cache import cache

    from rongmei.core.redis import get_redis
    from rongmei.live import fanout
    from rongmei.live.states import open_key

    if get_redis() is None:
        raise BenchError("live-comments 需要 Redis：请设置 REDIS_URL（多个进程通过它共享评论）")
    cache.set(open_key(ROOM_ID), True, 3600)
    fanout.forget(ROOM_ID)
    workdir = Path(tempfile.mkdtemp(prefix="rongmei-bench-live-"))
    apps = _start_apps(processes, base_port, workdir, frame_ms, cap)
    clients = []
    try:
        ports = [base_port + n for n in range(processes)]
        for port in ports:
            _wait_port("127.0.0.1", port)
        loaders = max(1, min(4, (os.cpu_count() or 2), viewers // 250 or 1))
        context = multiprocessing.get_context("spawn")
        results, go_stop = context.Queue(), context.Event()
        readies = []
        for n in range(loaders):
            ready = context.Event()
            readies.append(ready)
            indexes = list(range(n, viewers, loaders))
            clients.append(context.Process(target=_viewer_process, args=(
                indexes, ports, "127.0.0.1", sample_every, ready, go_stop, results)))
        for client in clients:
            client.start()
        for ready in readies:
            if not ready.wait(120):
                raise BenchError("观众连接在 120 秒内没有全部建立")
        log(f"[live-comments] {viewers} 名观众已连接到 {processes} 个进程；"
            f"发送 {rate:g} 条/秒，持续 {duration:g} 秒")
        time.sleep(1.0)
        cpu_before = sum(_cpu_seconds(p.pid) for p in apps)
        published, priority_ids = 0, []
        started = time.monotonic()
        interval = 1.0 / rate
        while time.monotonic() - started < duration:
            published += 1
            if published % PRIORITY_EVERY == 0:
                fanout.publish(ROOM_ID, fanout.NOTICE, {"body": f"公告{published}", "bench": 1},
                               msg_id=f"P{published}")
                priority_ids.append(published)
            else:
                fanout.publish(ROOM_ID, fanout.COMMENT, {"author": "观众", "body":
                               f"评论第{published}条，为家乡点赞", "bench": 1},
                               msg_id=f"c{published}")
            delay = started + published * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        elapsed = time.monotonic() - started
        time.sleep(max(2.0, 3 * frame_ms / 1000))  # the last frames arrive
        cpu = sum(_cpu_seconds(p.pid) for p in apps) - cpu_before
        go_stop.set()
        gathered = [results.get(timeout=60) for _ in clients]
    finally:
        go_stop_set = locals().get("go_stop")
        if go_stop_set is not None:
            go_stop_set.set()
        for client in clients:
            client.join(timeout=10)
            if client.is_alive():
                client.kill()
        _stop(apps)
    latencies = sorted(x for g in gathered for x in g["latencies"])
    expected = set(priority_ids)
    lost = sum(len(expected - set(seen)) for g in gathered for seen in g["seen"])
    delivered = sum(g["delivered"] for g in gathered)
    ideal = published * viewers

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) \
            if latencies else None

    report = {
        "scenario": "live-comments", "processes": processes, "viewers": viewers,
        "msgs_per_s": round(published / elapsed, 1), "published": published,
        "priority_published": len(priority_ids), "duration_s": round(elapsed, 1),
        "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "latency_samples": len(latencies), "lost_priority": lost,
        "delivered": delivered, "thinned": max(0, ideal - delivered),
        "broken_connections": sum(g["broken"] for g in gathered),
        "cpu_s": round(cpu, 2),
        "cpu_us_per_delivered": round(cpu / delivered * 1e6, 2) if delivered else None,
        "frame_ms": frame_ms, "frame_cap": cap, "loadavg_1m": round(os.getloadavg()[0], 2),
        "targets": {"p50_ms": 500, "p99_ms": 2000, "lost_priority": 0},
    }
    log(f"[live-comments] {processes} 个进程：p50 {report['p50_ms']} ms，p99 {report['p99_ms']} ms，"
        f"丢失优先消息 {lost}，每条送达消息 CPU {report['cpu_us_per_delivered']} µs")
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.live_comments")
    env = os.environ.get
    parser.add_argument("--viewers", type=int, default=int(env("BENCH_LIVE_VIEWERS", "2000")))
    parser.add_argument("--rate", type=float, default=float(env("BENCH_LIVE_RATE", "100")))
    parser.add_argument("--duration", type=float,
                        default=float(env("BENCH_LIVE_DURATION", "10")))
    parser.add_argument("--processes", default=env("BENCH_LIVE_PROCESSES", "1,2"),
                        help="app process counts to run, comma-separated (default 1,2)")
    parser.add_argument("--sample", type=int, default=10,
                        help="every n-th viewer parses frames for latency (default 10)")
    parser.add_argument("--port", type=int, default=int(env("BENCH_LIVE_PORT", "8790")))
    parser.add_argument("--frame-ms", type=int, default=300)
    parser.add_argument("--cap", type=int, default=40)
    args = parser.parse_args(argv)
    if min(args.viewers, args.rate, args.duration, args.sample) <= 0:
        raise BenchError("--viewers、--rate、--duration、--sample 必须为正数")
    if "django" not in sys.modules or not _django_ready():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongmei.config.settings")
        import django

        django.setup()
    reports = []
    for count in [int(c) for c in str(args.processes).split(",") if c.strip()]:
        report = run_once(viewers=args.viewers, rate=args.rate, duration=args.duration,
                          processes=count, base_port=args.port, sample_every=args.sample,
                          frame_ms=args.frame_ms, cap=args.cap)
        print(json.dumps(report, ensure_ascii=False))
        reports.append(report)
    final = dict(reports[0])
    if len(reports) > 1:
        final["scale_out"] = {k: reports[-1][k] for k in (
            "processes", "p50_ms", "p99_ms", "lost_priority", "cpu_us_per_delivered",
            "msgs_per_s", "delivered")}
    print(json.dumps(final, ensure_ascii=False))
    return final


def _django_ready() -> bool:
    from django.apps import apps

    return apps.ready


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(1)
