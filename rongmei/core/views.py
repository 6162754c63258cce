"""Platform views: health, readiness, metrics, and friendly Chinese error pages."""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .http import client_ip
from .metrics import render_latest

logger = logging.getLogger("rongmei.health")


def _wants_json(request) -> bool:
    from .hostile_input import wants_json

    return wants_json(request)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        logger.error("database health check failed: %s", exc)
        return "error"


def _check_cache() -> str:
    try:
        cache.set("healthz", "1", 10)
        return "ok" if cache.get("healthz") == "1" else "error"
    except Exception as exc:  # noqa: BLE001
        logger.error("cache health check failed: %s", exc)
        return "error"


def hello(request):
    """The benchmark floor: the cheapest response this stack can give (no DB, no cache)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def healthz(request):
    checks = {"database": _check_database(), "cache": _check_cache()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks},
                        status=200 if healthy else 503)


_migrations_done = False


def _migrations_applied() -> bool:
    global _migrations_done
    if _migrations_done:
        return True
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations_done = not plan
    return _migrations_done


@never_cache
def readyz(request):
    database = _check_database()
    migrations = "ok" if database == "ok" and _migrations_applied() else "pending"
    ready = database == "ok" and migrations == "ok"
    return JsonResponse({"status": "ok" if ready else "error", "database": database,
                         "migrations": migrations}, status=200 if ready else 503)


def _ip_allowed(ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


@never_cache
def metrics(request):
    user = request.user
    if not (_ip_allowed(client_ip(request)) or (user.is_authenticated and user.is_staff)):
        return HttpResponse("无权访问", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_latest(), content_type="text/plain; version=0.0.4")


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "message": "请求的地址不存在", "field": None},
                            status=404)
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """Django's 400 (a SuspiciousOperation such as a body too large): JSON on the API, a
    friendly Chinese page elsewhere."""
    from .hostile_input import HostileInput, error_for, refusal_response

    error = (error_for(exception) if exception is not None else None) or HostileInput(
        "bad_request", "请求无法处理")
    return refusal_response(request, error)


def server_error(request):
    request_id = getattr(request, "request_id", "")
    if _wants_json(request):
        return JsonResponse({"code": "server_error", "message": "服务器开小差了，请稍后再试",
                             "field": None, "request_id": request_id}, status=500)
    # No context processors here: whatever broke may be among them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({"request_id": request_id}),
                        status=500)


def csrf_failure(request, reason=""):
    if _wants_json(request):
        return JsonResponse({"code": "csrf_failed", "message": "页面已过期，请刷新后重试",
                             "field": None}, status=403)
    return render(request, "403_csrf.html", status=403)


def draw_script(request):
    """The public draw's rule as a script anyone can download and run (``rongmei.core.draw``
    is both: the code that draws and the code that checks, standard library only)."""
    from pathlib import Path

    from . import draw

    response = HttpResponse(Path(draw.__file__).read_bytes(),
                            content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rongmei_draw.py"'
    response["Cache-Control"] = "public, max-age=3600"
    return response



def public_media(request, path: str):
    """``MEDIA_URL`` when Django itself serves it (development and the demo; nginx in
    production): never anything under ``private/`` (licences, 问政 attachments — those go
    through their views, which check who asks), and every file sent as inert user content."""
    from pathlib import Path

    from django.http import Http404
    from django.utils._os import safe_join

    from .uploads import serve_user_file

    clean = path.replace("\\", "/").lstrip("/")
    if clean.split("/", 1)[0].lower() == "private" or "/private/" in f"/{clean.lower()}":
        raise Http404
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, clean))
    except Exception:  # noqa: BLE001 - SuspiciousFileOperation and friends: outside the root
        raise Http404 from None
    if not full.is_file():
        raise Http404
    return serve_user_file(full.open("rb"), name=full.name, private=False)
