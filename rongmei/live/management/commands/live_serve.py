"""``rongmei live_serve``: the ASGI server (uvicorn) for the live comment stream.

It serves the whole site (Django under ASGI) and, in front of it, ``/live/stream/<id>``:
nginx sends that path here (``proxy_buffering off``) and everything else to gunicorn, or
everything here on a small install. One process holds one Redis subscription; run one per
core behind nginx for a large event (docs/operations.md, "Live")."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the live comment stream (and the site) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("LIVE_PORT", "8001")))
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host, port, workers, **options):
        import uvicorn

        self.stdout.write(f"直播实时评论通道：http://{host}:{port}/live/stream/<直播间编号>"
                          f"（{workers} 个进程，Ctrl+C 退出）")
        uvicorn.run("rongmei.config.asgi:application", host=host, port=port, workers=workers,
                    lifespan="on", log_level="warning", access_log=False,
                    timeout_keep_alive=30, proxy_headers=True,
                    forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
