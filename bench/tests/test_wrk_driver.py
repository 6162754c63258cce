"""The wrk driver of ``rongmei bench --via-nginx``: what it sends, counts and refuses."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections import Counter

import pytest

from bench import BenchError, wrk
from bench.load import USER_AGENT, LoadResult
from bench.scenarios import Target
from rongmei.browser_testing import unavailable


@pytest.fixture
def wrk_binary():
    if not shutil.which("wrk"):
        unavailable("wrk not found", "wrk")


@pytest.fixture
def recorder():
    """A loopback HTTP/1.1 server that tallies each request's path, elder cookie and agent."""
    seen: Counter = Counter()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            with lock:
                seen[(self.path, self.headers.get("Cookie"), self.headers.get("User-Agent"))] += 1
            body = b"ok"
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # wrk closes its connections mid-request when its time is up

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_wrk_cycles_through_every_target_with_its_headers(wrk_binary, recorder):
    port, seen = recorder
    targets = [Target("/a?x=1"), Target("/b", headers={"Cookie": "rm_elder=1"})]
    result = wrk.drive(host="127.0.0.1", port=port, targets=targets, concurrency=4,
                       duration=1, max_requests=10, processes=2)
    assert result.errors == 0 and result.requests > 10
    assert 0.9 < result.elapsed < 1.5
    assert set(seen) == {("/a?x=1", None, USER_AGENT), ("/b", "rm_elder=1", USER_AGENT)}
    # every answer wrk counted was a request the server saw; the two alternate
    assert sum(seen.values()) >= result.requests
    a, b = (seen[key] for key in sorted(seen))
    assert abs(a - b) <= 8  # four connections, each one request apart at most
    assert len(result.latencies_ms) == result.requests
    assert 0 < result.percentile_ms(50) <= result.percentile_ms(99)


def test_an_error_status_is_an_error_not_a_request(wrk_binary, recorder):
    port, _ = recorder
    result = wrk.drive(host="127.0.0.1", port=port, targets=[Target("/missing")],
                       concurrency=2, duration=1, max_requests=10, processes=1)
    assert result.requests == 0 and result.errors > 0


def test_what_wrk_cannot_measure_is_refused_not_approximated():
    for target in (Target("/vote", method="POST", body="{}"), Target("/", expect_status=302),
                   Target("/新闻/")):
        with pytest.raises(BenchError):
            wrk.script([target])
    with pytest.raises(BenchError, match="wrk 不统计响应头"):
        wrk.drive(host="127.0.0.1", port=1, targets=[Target("/")], concurrency=1,
                  duration=1, max_requests=1, processes=1, tally_header="X-Cache")
    with pytest.raises(ValueError):
        wrk.drive(host="10.0.0.1", port=80, targets=[Target("/")], concurrency=1,
                  duration=1, max_requests=1, processes=1)


def test_slices_combine_by_request_count():
    """A slow slice of 1,000 requests and a fast one of 3,000: the median is a fast one."""
    line = (wrk.MARKER + '{{"requests": {n}, "duration_us": 1000000, "connect": 0, "read": 0, '
            '"write": 0, "status": {bad}, "timeout": 0, "quantiles_us": [{q}]}}')
    slow = wrk.parse(line.format(n=1000, bad=0, q=",".join(["9000"] * 1000)))
    fast = wrk.parse("wrk's own summary\n" + line.format(n=3010, bad=10,
                                                           q=",".join(["1000"] * 1000)))
    assert (slow.requests, fast.requests, fast.errors) == (1000, 3000, 10)
    both = LoadResult.combine([slow, fast], concurrent=False)
    assert both.rps == pytest.approx(2000)
    assert both.percentile_ms(50) == 1.0 and both.percentile_ms(80) == 9.0
    with pytest.raises(BenchError, match="没有输出结果"):
        wrk.parse("Running 1s test\n")
