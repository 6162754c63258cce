import logging
import re
import time
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import to_locale

from . import metrics, wechat

logger = logging.getLogger("rongmei.request")


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unknown"


class RequestLogMiddleware:
    """A request id, one structured log line per request, and Prometheus counters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = _route(request)
        metrics.REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        metrics.LATENCY.labels(route).observe(elapsed)
        response["X-Request-ID"] = request_id
        if settings.REQUEST_LOG:
            user = getattr(request, "user", None)
            logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={
                    "request_id": request_id, "method": request.method, "path": request.path,
                    "route": route, "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(("/admin/", "/django-admin/", "/api/v1/docs"))
            policy = settings.CSP
            if admin:
                policy = settings.CSP_ADMIN_STRICT if _own_view(request) else settings.CSP_ADMIN
            elif wechat.is_enabled():  # the JS-SDK's one origin, only while it is used
                policy = policy.replace("script-src 'self'",
                                        f"script-src 'self' {wechat.JSSDK_ORIGIN}", 1)
            # frame-ancestors says what X-Frame-Options says (DENY, or SAMEORIGIN where
            # Wagtail's preview frames a page), so the two never disagree.
            frame = response.get("X-Frame-Options", "DENY").upper()
            ancestors = "frame-ancestors 'self'" if frame == "SAMEORIGIN" else (
                "frame-ancestors 'none'")
            response["Content-Security-Policy"] = re.sub(r"frame-ancestors [^;]+", ancestors,
                                                         policy)
        response.setdefault("Permissions-Policy",
                            "camera=(self), geolocation=(self), microphone=(), payment=()")
        return response


def _own_view(request) -> bool:
    """Whether a console response came from one of Rongmei's own screens (a view class or
    function defined under ``rongmei.``): those templates carry no inline script, so they
    get ``CSP_ADMIN_STRICT``. Wagtail's own screens still ship inline scripts (date and
    time widgets, inline panels) and keep ``CSP_ADMIN``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    view = getattr(match.func, "view_class", match.func)
    if getattr(view, "csp_inline_scripts", False):  # uses a Wagtail chooser widget
        return False
    return getattr(view, "__module__", "").startswith("rongmei.")


class FriendlyErrorsMiddleware:
    """The demo (DEBUG on) shows the same friendly Chinese 404/500 pages, with the request
    id, as production — never Django's technical pages, which print settings, paths and
    code to whoever asks. ``RONGMEI_TECHNICAL_ERRORS=1`` brings them back on a developer's
    machine. With DEBUG off Django's handlers (``core.views``) already answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not settings.DEBUG or settings.RONGMEI_TECHNICAL_ERRORS:
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from . import views

        if isinstance(exception, Http404):
            return views.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django's 403 page has no debug details
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception,
            extra={"status_code": 500, "request": request})
        return views.server_error(request)


class ContentLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with ``Content-Language`` in BCP 47's canonical casing:
    ``zh-Hans``, the one tag the HTML (``<html lang>``), RSS, Atom and ninjs carry, rather
    than Django's lower-case code ``zh-hans`` (the same tag, spelled differently)."""

    def process_response(self, request, response):
        response = super().process_response(request, response)
        tag = response.get("Content-Language")
        if tag:
            response["Content-Language"] = to_locale(tag).replace("_", "-")
        return response
