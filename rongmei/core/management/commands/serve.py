"""Serve Rongmei with gunicorn, the production WSGI server (``rongmei serve``)."""

from __future__ import annotations

import multiprocessing
import os
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand


def default_workers() -> int:
    return multiprocessing.cpu_count() * 2 + 1


def gunicorn_options(*, bind: str, workers: int, access_log: bool = False) -> dict:
    options = {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": int(os.environ.get("GUNICORN_THREADS", "4")),
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        # Recycle workers now and then (a leak cannot grow forever), but rarely enough that
        # a busy server is not restarting workers every few seconds.
        "max_requests": 100_000,
        "max_requests_jitter": 10_000,
        # gunicorn's default control socket (~/.gunicorn/gunicorn.ctl) is shared by every
        # gunicorn of the user: give each server its own.
        "control_socket": os.path.join(tempfile.gettempdir(),
                                       f"rongmei-gunicorn-{os.getpid()}.ctl"),
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }
    if access_log:
        options["accesslog"] = "-"
    return options


def run_gunicorn(options: dict) -> None:
    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    application = get_wsgi_application()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    Server().run()


class Command(BaseCommand):
    help = "Serve the site with gunicorn (gthread workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WEB_CONCURRENCY", default_workers())))

    def handle(self, *args, host, port, workers, **options):
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            workers = min(workers, 2)  # SQLite serialises writes; more workers only contend
        if not getattr(settings, "REDIS_URL", ""):
            # Without Redis the live rooms' channel (comments, notices, 直播答题) and the
            # caches live in one process's memory: a second process would neither hear what
            # the first published nor drop what it invalidated.
            workers = 1
        self.stdout.write(f"{settings.RONGMEI_SITE_NAME} 正在 http://{host}:{port}/ 提供服务"
                          f"（{workers} 个工作进程，Ctrl+C 退出）")
        run_gunicorn(gunicorn_options(bind=f"{host}:{port}", workers=workers))
