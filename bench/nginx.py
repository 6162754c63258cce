"""nginx in front of the bench's gunicorn, configured from the project's deploy/nginx.conf.

``rongmei bench --via-nginx SCENARIO`` measures the scenario through nginx (its micro-cache
on, a loopback port, no TLS) against nginx serving a static file of the same size — the
physical floor of the machine — in the same run. The site's ``location /`` block (micro-cache
directives), its ``proxy_cache_path``, its ``map`` blocks and the proxy lines of
``rongmei_proxy.conf`` (quoted at the end of deploy/nginx.conf) are taken from that file, so
the bench measures what is deployed; only paths, the listen address and the upstream port
are the bench's own.
"""

from __future__ import annotations

import getpass
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from . import BenchError

DEPLOY_CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
STATIC_PATH = "/__bench_static_floor"
SNAPSHOT_INCLUDE = "/etc/nginx/rongmei_snapshot.conf"
# Without snapshots, the include names a header set no file is ever written under.
NO_SNAPSHOTS = "set $rongmei_snapshot_set none;\n"
START_TIMEOUT = 15


def deploy_parts(text: str) -> dict:
    """The pieces of deploy/nginx.conf the bench reuses."""
    cache_path = re.search(r"^proxy_cache_path\s+\S+\s+(.*?);", text, re.MULTILINE)
    start, app = text.find("location / {"), text.find("location @rongmei_app {")
    if cache_path is None or start < 0 or app < 0:
        raise BenchError("deploy/nginx.conf 中没有 proxy_cache_path、location / 或 "
                         "location @rongmei_app 块")
    block = _block(text, start) + "\n    " + _block(text, app)
    maps = [_block(text, found.start()) for found in re.finditer(r"^map\s", text, re.MULTILINE)]
    proxy = [line.lstrip("#").strip() for line in text.splitlines()
             if re.match(r"#\s+proxy_", line)]
    if not proxy:
        raise BenchError("deploy/nginx.conf 末尾没有 rongmei_proxy.conf 的内容")
    block = re.sub(r"include\s+/etc/nginx/rongmei_proxy\.conf;",
                   "\n        ".join(proxy), block)
    if not re.search(r"root\s+\S+;", block) or SNAPSHOT_INCLUDE not in block:
        raise BenchError(f"deploy/nginx.conf 的 location / 没有 root 或 include {SNAPSHOT_INCLUDE}")
    return {"cache_path_options": cache_path.group(1), "location": block, "maps": maps}


def _block(text: str, start: int) -> str:
    """From ``start`` to the brace that closes the first one opened there."""
    depth, end = 0, start
    for end in range(start, len(text)):
        if text[end] == "{":
            depth += 1
        elif text[end] == "}":
            depth -= 1
            if depth == 0:
                break
    return text[start:end + 1]


def config(*, workdir: Path, port: int, upstream_port: int, static_file: Path,
           cpu: int | None = None, snapshots: tuple[Path, str] | None = None) -> str:
    """The bench's nginx.conf. With ``cpu``, one worker pinned to that core (the load
    generator is then pinned to another: nginx alone is the bottleneck). ``snapshots``: the
    app's PAGE_SNAPSHOT_DIR and the output of ``rongmei snapshot_nginx`` (without them, no
    snapshot is ever found)."""
    parts = deploy_parts(DEPLOY_CONF.read_text())
    tmp = workdir / "nginx"
    snapshot_dir, include_text = snapshots or (tmp / "no-snapshots", NO_SNAPSHOTS)
    include = tmp / "snapshot.conf"
    tmp.mkdir(parents=True, exist_ok=True)
    include.write_text(include_text)
    location = re.sub(r"root\s+\S+;", f"root {snapshot_dir};",
                      parts["location"], count=1).replace(SNAPSHOT_INCLUDE, str(include))
    # Run as root, nginx's workers drop to "nobody", who cannot read the bench's private
    # (0700) work directory: every request would be a 403 and nginx would never look ready.
    # The workers run as whoever runs the bench instead.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    workers = ("worker_processes auto;" if cpu is None else
               f"worker_processes 1;\nworker_cpu_affinity {1 << cpu:b};")
    return f"""
{user}
{workers}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    proxy_cache_path {tmp}/cache {parts["cache_path_options"]};
    {chr(10).join(parts["maps"])}
    upstream rongmei_app {{
        server 127.0.0.1:{upstream_port};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        add_header X-Micro-Cache $upstream_cache_status always;
        location = {STATIC_PATH} {{
            alias {static_file};
            default_type text/html;
        }}
        {location}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str, headers: dict | None = None, *,
          method: str = "GET") -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextmanager
def running(*, workdir: Path, upstream_port: int, static_size: int, cpu: int | None = None,
            snapshots: tuple[Path, str] | None = None):
    """nginx on a free loopback port until the block ends (then stopped, killed if need be).
    Yields the port; ``STATIC_PATH`` there is a file of ``static_size`` bytes. ``cpu`` and
    ``snapshots``: see ``config``."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise BenchError("找不到 nginx（--via-nginx 需要本机安装 nginx）")
    tmp = workdir / "nginx"
    tmp.mkdir(parents=True, exist_ok=True)
    static_file = tmp / "static.html"
    static_file.write_bytes(b"x" * static_size)
    port = _free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(config(workdir=workdir, port=port, upstream_port=upstream_port,
                           static_file=static_file, cpu=cpu, snapshots=snapshots))
    process = subprocess.Popen([binary, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        last = "无应答"
        while True:
            if process.poll() is not None:
                raise BenchError(f"nginx 启动失败：{process.stderr.read().decode()[-2000:]}")
            try:
                status = fetch(port, STATIC_PATH)[0]
                if status == 200:
                    break
                last = f"静态文件返回 {status}"
            except OSError as error:
                last = f"连接失败（{error.__class__.__name__}）"
            if time.monotonic() > deadline:
                raise BenchError(f"nginx 未能在 {START_TIMEOUT} 秒内就绪：{last}；"
                                 f"见 {tmp / 'error.log'}")
            time.sleep(0.1)
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def variants_check(port: int, path: str) -> dict:
    """No visitor gets another's variant from the micro-cache: standard and elder-mode
    visitors alternate on the same URL, and a request with a session cookie or a bearer
    token bypasses the micro-cache."""
    wrong = 0
    for _ in range(3):
        for elder in (False, True, False, True):
            headers = {"Cookie": "rm_elder=1"} if elder else {}
            status, _, body = fetch(port, path, headers)
            if status == 200 and (b"rm-elder" in body) != elder:
                wrong += 1
    bypass = 0
    for headers in ({"Cookie": "sessionid=bench-not-a-session"},
                    {"Authorization": "Bearer bench-not-a-token"},
                    {"Cookie": "messages=bench-flash-message"}):
        if _micro_cache_status(port, path, headers) in SERVED_FROM_CACHE:
            bypass += 1
    # A crowd of returning visitors: each carries its own cookies (a device id, a CSRF
    # token) that the page does not depend on. They share the one cached copy.
    crowd = 20
    served = sum(_micro_cache_status(port, path, {
        "Cookie": f"rm_device=bench{n:04d}; csrftoken=bench{n:04d}"}) in SERVED_FROM_CACHE
        for n in range(crowd))
    return {"wrong_variant_served": wrong, "personal_served_from_micro_cache": bypass,
            "crowd_served_from_micro_cache": round(served / crowd, 3)}


SERVED_FROM_CACHE = ("HIT", "STALE", "UPDATING", "SNAPSHOT")


def _micro_cache_status(port: int, path: str, headers: dict | None = None) -> str:
    _, response_headers, _ = fetch(port, path, headers)
    lowered = {k.lower(): v for k, v in response_headers.items()}
    if lowered.get("x-page-cache") == "snapshot":  # sent as the file the app wrote
        return "SNAPSHOT"
    return lowered.get("x-micro-cache", "(none)")


def cache_statuses(port: int, path: str, samples: int = 20) -> dict:
    """How ``samples`` anonymous visitors in a row are answered, after the load: ``SNAPSHOT``
    (the app's file for this window), else what the micro-cache says (``X-Micro-Cache``):
    ``HIT``, or ``MISS``/``EXPIRED`` for the first request of a window."""
    statuses: dict[str, int] = {}
    for _ in range(samples):
        status = _micro_cache_status(port, path)
        statuses[status] = statuses.get(status, 0) + 1
    return statuses
