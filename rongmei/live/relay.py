"""多平台同步直播: relay one stream to the platforms its room lists (run by the media server).

nginx-rtmp starts ``python -m rongmei.live.relay --callback URL --source rtmp://127.0.0.1:PORT/live
--name <stream>`` for each stream that goes on air (``exec_push``) and sends it SIGTERM when
the stream ends. The relay asks the app which targets to push to (``relay``), runs one
``ffmpeg -c copy`` per target (no re-encoding: a relay costs next to no CPU), reports each
target's status (``relay_status``: connecting → live, failed with the reason, stopped) and
restarts a target that failed, waiting longer each time.

Only the standard library: it runs in the media server's environment, not Django's.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

LIVE_AFTER = 3.0  # seconds an ffmpeg must keep running to count as pushing
MAX_RESTARTS = 5


def call(callback: str, event: str, data: dict) -> dict:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(f"{callback.rstrip('/')}/{event}", data=body,
                                     method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def report(callback: str, target: int, status: str, error: str = "") -> None:
    try:
        call(callback, "relay_status", {"target": target, "status": status, "error": error})
    except Exception as exc:  # the relay must go on even if the app is briefly away
        print(f"relay: could not report {status} for target {target}: {exc}", file=sys.stderr)


class Target:
    def __init__(self, target_id: int, url: str, source: str, ffmpeg: str):
        self.id, self.url, self.source, self.ffmpeg = target_id, url, source, ffmpeg
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.restarts = 0
        self.reported_live = False
        self.next_start = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.ffmpeg, "-hide_banner", "-loglevel", "error", "-rw_timeout", "10000000",
             "-i", self.source, "-c", "copy", "-f", "flv", self.url],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.started = time.monotonic()
        self.reported_live = False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()


def run(callback: str, source: str, name: str, ffmpeg: str) -> int:
    answer = call(callback, "relay", {"name": name})
    targets = [Target(t["id"], t["url"], f"{source.rstrip('/')}/{name}", ffmpeg)
               for t in answer.get("targets", [])]
    if not targets:
        return 0
    stopping = {"now": False}

    def on_term(signum, frame):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    for target in targets:
        report(callback, target.id, "connecting")
        target.start()
    while not stopping["now"]:
        now = time.monotonic()
        for target in targets:
            process = target.process
            if process is None:
                if target.next_start and now >= target.next_start:
                    report(callback, target.id, "connecting")
                    target.start()
                continue
            code = process.poll()
            if code is None:
                if not target.reported_live and now - target.started >= LIVE_AFTER:
                    report(callback, target.id, "live")
                    target.reported_live = True
                continue
            error = (process.stderr.read().decode(errors="replace") if process.stderr
                     else "").strip()[-280:]
            target.process = None
            target.restarts += 1
            if target.restarts > MAX_RESTARTS:
                report(callback, target.id, "failed", f"多次重连失败：{error or code}")
                target.next_start = 0.0
                continue
            report(callback, target.id, "failed", f"推流中断，稍后重连：{error or code}")
            target.next_start = now + min(60, 2 ** target.restarts)
        time.sleep(0.5)
    for target in targets:
        target.stop()
        report(callback, target.id, "stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rongmei.live.relay")
    parser.add_argument("--callback", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--ffmpeg", default="ffmpeg")
    args = parser.parse_args(argv)
    return run(args.callback, args.source, args.name, args.ffmpeg)


if __name__ == "__main__":
    sys.exit(main())
