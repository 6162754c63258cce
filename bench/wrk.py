"""A compiled load generator for ``rongmei bench --via-nginx``: wrk, from Debian.

Through nginx's micro-cache a page is served at 10–17k requests/s on this machine's two
cores, and the Python generator (``bench/load.py``) then holds as much CPU as nginx does:
it parses every answer's header block in Python, and a page carries about a dozen header
lines more than a static file, so the page cost the *client* more than the file and the
ratio measured the generator as much as the server. wrk parses in C. ``drive()`` has the
signature of ``bench.load.drive`` and returns the same ``LoadResult``, so the runner's
alternating slices work unchanged, and the static file (the floor) and the scenario go
through the same generator: the ratio stays fair.

What wrk cannot do, this driver refuses rather than approximates: methods other than GET
with a body, a tally header, a request budget, a status other than 200 expected. wrk counts
an answer with a status of 400 or more as an error; before the load each target is fetched
once and must answer 200. Latency percentiles come from wrk's own histogram: each slice
reports 1,000 quantiles, weighted by its request count when slices are combined.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import BenchError
from .load import LOOPBACK, USER_AGENT, LoadResult
from .scenarios import Target

MARKER = "RONGMEI-WRK "
QUANTILES = 1000

# The Lua script: ``init`` builds every target's raw request once; with one target wrk sends
# it without calling Lua per request (its fast path); with several, ``request`` cycles through
# them with each thread starting at its own offset. ``done`` prints one JSON line.
SCRIPT = r"""
local targets = %(targets)s
local quantiles = %(quantiles)d
local thread_count = 0

function setup(thread)
  thread:set("first", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local built = {}
  for i, t in ipairs(targets) do
    built[i] = wrk.format(t.method, t.path, t.headers, nil)
  end
  if #built == 1 then
    req = built[1]  -- wrk's own ``request`` returns ``req``: the static fast path
  else
    local n = tonumber(first) or 0
    request = function()
      n = n + 1
      return built[(n %% #built) + 1]
    end
  end
end

function done(summary, latency, requests)
  local points = {}
  for k = 0, quantiles - 1 do
    points[#points + 1] = string.format("%%d", latency:percentile((k + 0.5) * 100 / quantiles))
  end
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "quantiles_us": [%%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(points, ",")))
end
"""


def binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError("找不到 wrk（--via-nginx 的压测工具）：请运行 make system 安装")
    return found


def _lua(value) -> str:
    """A Lua literal for the JSON-like ``value`` (strings escaped by JSON's rules, which Lua
    reads the same for the characters a path or header holds)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    return json.dumps(value)  # ASCII only (checked by ``script``): \" and \\ read alike


def script(targets: list[Target]) -> str:
    for target in targets:
        if target.method != "GET" or target.body is not None or target.expect_status != 200:
            raise BenchError(f"wrk 只用于匿名 GET 并期望 200 的场景，不适用于 {target.method} "
                             f"{target.path}")
        if any(not 32 <= ord(ch) < 127 for ch in target.path + "".join(
                f"{k}{v}" for k, v in target.headers.items())):
            raise BenchError(f"wrk 目标须为 ASCII（已编码的路径）：{target.path!r}")
    lua_targets = [{"method": t.method, "path": t.path,
                    "headers": {"User-Agent": USER_AGENT, **t.headers}} for t in targets]
    return SCRIPT % {"targets": _lua(lua_targets), "quantiles": QUANTILES, "marker": MARKER}


def parse(stdout: str) -> LoadResult:
    """The ``LoadResult`` of one wrk run, from the line its script's ``done`` printed."""
    lines = [line for line in stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise BenchError(f"wrk 没有输出结果：{stdout[-1000:]}")
    data = json.loads(lines[-1][len(MARKER):])
    requests = data["requests"] - data["status"]  # wrk counts 4xx/5xx answers as requests too
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return LoadResult(requests=requests, errors=errors, elapsed=data["duration_us"] / 1e6,
                      latencies_ms=_weighted(data["quantiles_us"], requests))


def _weighted(quantiles_us: list[int], requests: int) -> list[float]:
    """Stand-in samples: each of the run's quantiles repeated for its share of the requests,
    so that slices combine by request count and nearest-rank percentiles still read right."""
    if requests <= 0 or not quantiles_us:
        return []
    samples: list[float] = []
    per_point = requests / len(quantiles_us)
    for k, value in enumerate(quantiles_us):
        count = math.floor((k + 1) * per_point) - math.floor(k * per_point)
        samples.extend([value / 1000] * count)
    return samples


def drive(*, host: str, port: int, targets: list[Target], concurrency: int, duration: float,
          max_requests: int, processes: int, tally_header: str | None = None,
          timeout: float = 30.0, offset: int = 0, cpu: int | None = None) -> LoadResult:
    """``bench.load.drive`` with wrk: ``processes`` threads, ``concurrency`` connections,
    whole seconds (wrk's unit; at least one), pinned to core ``cpu`` if given (taskset).
    ``max_requests`` and ``offset`` are not supported by wrk: the phase runs for its
    duration and each thread starts its own cycle."""
    if host not in LOOPBACK:
        raise ValueError(f"bench load goes to loopback only, not {host!r}")
    if not targets:
        raise ValueError("a load needs at least one target")
    if tally_header:
        raise BenchError("wrk 不统计响应头，此场景请不用 --via-nginx")
    seconds = max(1, round(duration))
    threads = max(1, min(processes, concurrency))
    with tempfile.TemporaryDirectory(prefix="rongmei-wrk-") as tmp:
        path = Path(tmp) / "bench.lua"
        path.write_text(script(targets))
        host_part = f"[{host}]" if ":" in host else host
        pin = [] if cpu is None else [shutil.which("taskset") or "taskset", "-c", str(cpu)]
        command = [*pin, binary(), f"-t{threads}", f"-c{concurrency}", f"-d{seconds}s",
                   f"--timeout={max(1, round(timeout))}s", "-s", str(path),
                   f"http://{host_part}:{port}{targets[0].path}"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=seconds + timeout + 30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode:
        raise BenchError(f"wrk 异常退出（{process.returncode}）：{stderr[-1000:]}")
    return parse(stdout)
