"""``rongmei live_media_server``: nginx-rtmp in the foreground, configured from
``deploy/nginx-rtmp.conf.template`` (development, and systemd in production)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rongmei.live.mediaserver import MediaServer, MediaServerConfig, MediaServerError


class Command(BaseCommand):
    help = "Run nginx with libnginx-mod-rtmp for live rooms (RTMP in, HLS out)."

    def add_arguments(self, parser):
        parser.add_argument("--prefix", default=str(settings.DATA_DIR / "live" / "nginx"),
                            help="nginx -p folder: configuration, logs, HLS (default %(default)s)")
        parser.add_argument("--callback", default=os.environ.get(
            "LIVE_CALLBACK_URL", "http://127.0.0.1:8000/live/media-hooks/nginx-rtmp"),
            help="the app's callback address, reached directly, not through the public site")
        parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
        parser.add_argument("--rtmp-port", type=int, default=1935)
        parser.add_argument("--http-port", type=int, default=8080, help="HLS for players or a CDN")
        parser.add_argument("--no-relay", action="store_true", help="no simulcast relays")
        parser.add_argument("--check", action="store_true", help="check the configuration only")

    def handle(self, *args, **options):
        config = MediaServerConfig(prefix=Path(options["prefix"]), callback=options["callback"],
                                   host=options["host"], rtmp_port=options["rtmp_port"],
                                   http_port=options["http_port"], relay=not options["no_relay"])
        server = MediaServer(config)
        try:
            if options["check"]:
                server.check()
                self.stdout.write(f"配置正确：{server.conf_path}")
                return
            server.start()
        except MediaServerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"媒体服务器已启动：rtmp://{config.host}:{config.rtmp_port}/live ，"
                          f"HLS http://{config.host}:{config.http_port}/hls/（Ctrl+C 停止）")
        stopping = {"now": False}
        signal.signal(signal.SIGTERM, lambda *a: stopping.update(now=True))
        try:
            while not stopping["now"] and server.process and server.process.poll() is None:
                time.sleep(1.0)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
