"""The load generator: keep-alive HTTP/1.1 from processes separate from the server.

``drive()`` starts ``processes`` copies of ``python -m bench.load``, each holding its share
of the connections (one thread per connection, ``http.client``). Every process connects,
reports ready, and starts only when all are ready, so the measured window is the same for
all. Each connection stops at the deadline or when its share of ``max_requests`` is spent,
whichever comes first; an answer that arrives after the deadline is not counted, so the
rate is requests per second of the window. A closed-loop client sends its next request only
after the previous answer, so ``concurrency`` is the number of requests in flight.

The floor and every scenario go through this same driver, so their ratio is fair. Only
loopback addresses are accepted.
"""

from __future__ import annotations

import http.client
import json
import math
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import BenchError
from .scenarios import STATUS_TALLY, Target

PACKAGE_PARENT = Path(__file__).resolve().parent.parent  # so ``-m bench.load`` imports this
LOOPBACK = {"127.0.0.1", "::1"}
NO_HEADER = "(none)"
ERROR_SAMPLES = 5
USER_AGENT = "rongmei-bench/1"
# An idle keep-alive connection the server has just closed (a worker reaching gunicorn's
# max_requests, or its keepalive timeout) fails like this before any answer arrives.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class LoadResult:
    requests: int  # answered with the expected status within the window
    errors: int  # transport failures and unexpected statuses
    elapsed: float  # seconds of the measured window
    latencies_ms: list[float]  # of the requests counted (sorted once combined)
    tally: Counter = field(default_factory=Counter)  # values of the scenario's tally header
    reconnects: int = 0  # stale keep-alive connections replaced, request retried
    error_samples: list[str] = field(default_factory=list)
    sent_max: int = 0  # most requests any one connection sent (to continue a target list)

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile, ``q`` in (0, 100]."""
        if not self.latencies_ms:
            return 0.0
        rank = max(1, math.ceil(q / 100 * len(self.latencies_ms)))
        return self.latencies_ms[rank - 1]

    @classmethod
    def combine(cls, parts: list[LoadResult], *, concurrent: bool) -> LoadResult:
        """One result from parts measured side by side (``concurrent``) or one after another."""
        elapsed = [part.elapsed for part in parts]
        return cls(
            requests=sum(part.requests for part in parts),
            errors=sum(part.errors for part in parts),
            elapsed=(max(elapsed) if concurrent else sum(elapsed)) if parts else 0.0,
            latencies_ms=sorted(ms for part in parts for ms in part.latencies_ms),
            tally=sum((part.tally for part in parts), Counter()),
            reconnects=sum(part.reconnects for part in parts),
            error_samples=[s for part in parts for s in part.error_samples][:ERROR_SAMPLES],
            sent_max=max((part.sent_max for part in parts), default=0),
        )

    def to_json(self) -> dict:
        return {**vars(self), "tally": dict(self.tally)}  # asdict() garbles a Counter

    @classmethod
    def from_json(cls, data: dict) -> LoadResult:
        return cls(**{**data, "tally": Counter(data["tally"])})


def drive(*, host: str, port: int, targets: list[Target], concurrency: int, duration: float,
          max_requests: int, processes: int, tally_header: str | None = None,
          timeout: float = 30.0, offset: int = 0) -> LoadResult:
    """Send load for ``duration`` seconds or ``max_requests`` requests and merge the results.

    ``offset`` continues a target list where an earlier load stopped: pass the previous
    offset plus ``concurrency × result.sent_max`` so that no target is sent twice before the
    list wraps (one grab per resident across all slices of a measurement)."""
    if host not in LOOPBACK:
        raise ValueError(f"bench load goes to loopback only, not {host!r}")
    if not targets:
        raise ValueError("a load needs at least one target")
    processes = max(1, min(processes, concurrency))
    connections = [list(range(i, concurrency, processes)) for i in range(processes)]
    budget = [_share(max_requests, concurrency, c) for c in range(concurrency)]
    specs = [{
        "host": host, "port": port, "targets": [t.to_json() for t in targets],
        "connections": [{"index": c, "budget": budget[c]} for c in mine],
        "stride": concurrency, "offset": offset, "duration": duration, "timeout": timeout,
        "tally_header": tally_header,
    } for mine in connections]

    children = [subprocess.Popen([sys.executable, "-m", "bench.load"], cwd=PACKAGE_PARENT,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for _ in specs]
    try:
        for child, spec in zip(children, specs):
            child.stdin.write(json.dumps(spec) + "\n")
            child.stdin.flush()
        for child in children:
            if child.stdout.readline().strip() != "ready":
                raise BenchError("压测进程启动失败（错误见上方输出）")
        for child in children:  # the starting gun
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=duration + timeout + 30)[0] for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    if any(child.returncode for child in children):
        raise BenchError("压测进程异常退出（错误见上方输出）")
    parts = [LoadResult.from_json(json.loads(output)) for output in outputs]
    return LoadResult.combine(parts, concurrent=True)


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


# --- the load process (python -m bench.load) ----------------------------------------------

class _Connection(threading.Thread):
    """One keep-alive connection sending requests back to back until time or budget runs out."""

    def __init__(self, spec: dict, targets: list[Target], index: int, budget: int,
                 start: threading.Event):
        super().__init__(daemon=True)
        self.spec, self.targets, self.index, self.budget = spec, targets, index, budget
        self.start_gun = start
        self.result = LoadResult(requests=0, errors=0, elapsed=0.0, latencies_ms=[])
        self.conn = http.client.HTTPConnection(spec["host"], spec["port"],
                                               timeout=spec["timeout"])
        self.conn.connect()  # before the start, so connecting is not measured
        self.served = 0  # requests answered on the current connection

    def run(self):
        self.start_gun.wait()
        began = time.monotonic()
        deadline = began + self.spec["duration"]
        result, stride, n = self.result, self.spec["stride"], 0
        first = self.spec.get("offset", 0) + self.index
        while n < self.budget and time.monotonic() < deadline:
            target = self.targets[(first + n * stride) % len(self.targets)]
            n += 1
            started = time.perf_counter()
            try:
                tally = self._send(target)
            except _Failed as failure:
                result.errors += 1
                if len(result.error_samples) < ERROR_SAMPLES:
                    result.error_samples.append(str(failure))
                continue
            if time.monotonic() > deadline:
                break  # answered after the window closed: not part of the measurement
            result.requests += 1
            result.latencies_ms.append(round((time.perf_counter() - started) * 1000, 3))
            if tally is not None:
                result.tally[tally] += 1
        result.elapsed = min(time.monotonic(), deadline) - began
        result.sent_max = n
        self.conn.close()

    def _send(self, target: Target) -> str | None:
        """Send one request; return the tally header's value, or raise ``_Failed``."""
        headers = {"User-Agent": USER_AGENT, **target.headers}
        body = target.body.encode() if target.body is not None else None
        for attempt in (1, 2):
            try:
                self.conn.request(target.method, target.path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                break
            except STALE_CONNECTION as exc:
                # Browsers retry an idempotent request once when a reused connection dies
                # before answering; anything else is an error.
                reused = self.served > 0
                self._reset()
                if attempt == 1 and reused and target.method in ("GET", "HEAD"):
                    self.result.reconnects += 1
                    continue
                raise _Failed(f"{type(exc).__name__}: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                self._reset()
                raise _Failed(f"{type(exc).__name__}: {exc}") from exc
        self.served += 1
        if response.will_close:
            self._reset()
        expected = target.expect_status
        if response.status not in (expected if isinstance(expected, (list, tuple)) else (expected,)):
            raise _Failed(f"HTTP {response.status} for {target.method} {target.path}")
        header = self.spec["tally_header"]
        if header == STATUS_TALLY:
            return str(response.status)
        return response.getheader(header, NO_HEADER) if header else None

    def _reset(self) -> None:
        self.conn.close()  # http.client reconnects on the next request
        self.served = 0


class _Failed(Exception):
    """A request that got no answer, or not the expected one."""


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    targets = [Target.from_json(t) for t in spec["targets"]]
    start = threading.Event()
    threads = [_Connection(spec, targets, c["index"], c["budget"], start)
               for c in spec["connections"]]
    for thread in threads:
        thread.start()  # each waits for the start signal
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit("bench.load: no start signal")
    start.set()
    for thread in threads:
        thread.join()
    result = LoadResult.combine([thread.result for thread in threads], concurrent=True)
    json.dump(result.to_json(), sys.stdout)


if __name__ == "__main__":
    main()
