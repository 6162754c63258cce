"""Run the media server: nginx with libnginx-mod-rtmp, as our own child process.

``render()`` fills ``deploy/nginx-rtmp.conf.template``; ``MediaServer`` starts nginx with its
own ``-p`` prefix (never the system service), waits until it listens, and stops it —
``rongmei live_media_server`` (development, systemd) and the end-to-end test use it.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR).parent / "deploy" / "nginx-rtmp.conf.template"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class MediaServerError(RuntimeError):
    pass


@dataclass
class MediaServerConfig:
    prefix: Path  # nginx's -p folder: conf, logs, temp files, pid
    callback: str  # e.g. http://127.0.0.1:8000/live/media-hooks/nginx-rtmp
    rtmp_port: int = 1935
    http_port: int = 8080
    host: str = "127.0.0.1"
    record_dir: Path | None = None
    hls_fragment: str = "2s"
    hls_playlist: str = "10s"
    relay: bool = True
    module: str = field(default_factory=lambda: settings.LIVE_NGINX_RTMP_MODULE)

    @property
    def hls_dir(self) -> Path:
        return self.prefix / "hls"

    @property
    def records(self) -> Path:
        return Path(self.record_dir or settings.LIVE_RECORD_DIR)


def relay_command(config: MediaServerConfig) -> str:
    """What ``exec_push`` runs per stream (nginx appends the stream name)."""
    args = [sys.executable, "-m", "rongmei.live.relay", "--callback", config.callback,
            "--source", f"rtmp://127.0.0.1:{config.rtmp_port}/live",
            "--ffmpeg", settings.FFMPEG_BINARY]
    return " ".join(shlex.quote(a) for a in args)


def render(config: MediaServerConfig, template: Path = TEMPLATE) -> str:
    user_line = ""
    if os.geteuid() == 0:  # workers must be able to write HLS and recordings we can read
        import pwd

        user_line = f"user {pwd.getpwuid(os.geteuid()).pw_name};"
    values = {
        "RTMP_MODULE": config.module,
        "USER_LINE": user_line,
        "PREFIX": str(config.prefix),
        "RTMP_PORT": str(config.rtmp_port),
        "RTMP_LISTEN": f"{config.host}:{config.rtmp_port}",
        "HTTP_LISTEN": f"{config.host}:{config.http_port}",
        "CALLBACK": config.callback.rstrip("/"),
        "HLS_DIR": str(config.hls_dir),
        "HLS_ROOT": str(config.hls_dir.parent),
        "HLS_FRAGMENT": config.hls_fragment,
        "HLS_PLAYLIST": config.hls_playlist,
        "RECORD_DIR": str(config.records),
        "RELAY_LINE": (f"exec_push {relay_command(config)} --name $name;" if config.relay
                       else "# relay off"),
    }
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    if "@@" in text:
        raise MediaServerError("nginx-rtmp 配置模板中有未填写的占位符")
    return text


def _listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


class MediaServer:
    """``with MediaServer(config) as server:`` — nginx-rtmp running until the block ends."""

    def __init__(self, config: MediaServerConfig):
        self.config = config
        self.process: subprocess.Popen | None = None

    @property
    def conf_path(self) -> Path:
        return self.config.prefix / "conf" / "nginx.conf"

    def write_config(self) -> Path:
        config = self.config
        for folder in (config.prefix / "conf", config.prefix / "logs", config.hls_dir,
                       config.records, *(config.prefix / "tmp" / n for n in
                                         ("body", "proxy", "fastcgi", "uwsgi", "scgi"))):
            folder.mkdir(parents=True, exist_ok=True)
        self.conf_path.write_text(render(config), encoding="utf-8")
        return self.conf_path

    def command(self) -> list[str]:
        prefix = str(self.config.prefix)
        return [settings.LIVE_NGINX_BINARY, "-p", prefix, "-c", str(self.conf_path),
                "-e", str(self.config.prefix / "logs" / "error.log"), "-g", "daemon off;"]

    def check(self) -> None:
        self.write_config()
        result = subprocess.run([*self.command(), "-t"], capture_output=True, text=True,
                                timeout=10)
        if result.returncode != 0:
            raise MediaServerError(f"nginx-rtmp 配置检查失败：{result.stderr.strip()[-500:]}")

    def start(self) -> MediaServer:
        self.check()
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr \
                    else ""
                raise MediaServerError(f"nginx-rtmp 启动失败：{err.strip()[-500:]}")
            if (_listening(self.config.host, self.config.rtmp_port)
                    and _listening(self.config.host, self.config.http_port)):
                return self
            time.sleep(0.05)
        self.stop()
        raise MediaServerError("nginx-rtmp 在10秒内没有开始监听")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:  # the whole group: master, worker, relays it started
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def __enter__(self) -> MediaServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
