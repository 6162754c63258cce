"""Hostile input is a 4xx, never a 500 — refused in one place, before any view runs.

The classes that used to reach the database (and come back as 500s) are:

* lone UTF-16 surrogates (``"\\ud800"`` in JSON): no database or encoder takes them;
* NUL characters: PostgreSQL text cannot hold them;
* integers beyond 64 bits (in a JSON body, a query string, a form field or a path): no
  bigint column holds them, and non-finite numbers (``1e400`` → ``inf``);
* bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``) and forms with too
  many fields (``TooManyFieldsSent``, ``TooManyFilesSent``).

:class:`HostileInputMiddleware` checks query strings, form fields and path arguments of
every request; ``core.api.ObjectBodyParser`` checks JSON bodies with :func:`check_json`; the
API's error handlers and :func:`refusal_response` turn what is found into ``{code, message,
field}`` (Chinese) on ``/api/`` and a friendly Chinese page elsewhere. Nothing is stored:
the request never reaches a view.
"""

from __future__ import annotations

import math
import re

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.shortcuts import render

from .errors import ServiceError

INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?\d+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class HostileInput(ServiceError):
    """A request no view should see (400, or 413 for a body that is too large)."""


def check_text(value: str, *, field: str | None) -> None:
    """Refuse lone surrogates and NUL in any text a client sent."""
    if _SURROGATE.search(value):
        raise HostileInput("invalid_text", "内容含有无法识别的字符，请删除后重试", field=field)
    if "\x00" in value:
        raise HostileInput("invalid_text", "内容含有不允许的控制字符，请删除后重试", field=field)


def check_integer(value: int, *, field: str | None) -> None:
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise HostileInput("number_out_of_range", "数值超出允许范围", field=field)


# Fields whose digits are text, not a number (a search, an idempotency key, an account or
# receipt number): a long run of digits there is not refused.
_DIGITS_ARE_TEXT = re.compile(
    r"(^|_)(q|query|search|keyword|text|body|title|description|name|address|note|reason|"
    r"intro|phone|mobile|key|code|token|secret|password|no|number|account|receipt|"
    r"credit_code|id_number)$", re.IGNORECASE)


def check_param(name: str, value: str) -> None:
    """One query-string or form value: text rules, and a whole number must fit 64 bits
    (ids, pages, counts and amounts; not the digits of a search or an account number)."""
    check_text(name, field=None)
    check_text(value, field=name)
    stripped = value.strip()
    if (len(stripped) > 18 and _INTEGER.fullmatch(stripped)
            and not _DIGITS_ARE_TEXT.search(name)):
        digits = stripped.lstrip("+-").lstrip("0")
        if len(digits) > 19:  # past 64 bits whatever the digits; int() of >4300 raises
            raise HostileInput("number_out_of_range", "数值超出允许范围", field=name)
        check_integer(int(stripped), field=name)


def check_json(data, *, field: str | None = None, depth: int = 0) -> None:
    """Walk a parsed JSON document (keys and values) for the classes above."""
    if depth > 64:
        raise HostileInput("malformed_request", "请求内容嵌套过深", field=field)
    if isinstance(data, str):
        check_text(data, field=field)
    elif isinstance(data, bool):
        return
    elif isinstance(data, int):
        check_integer(data, field=field)
    elif isinstance(data, float):
        if not math.isfinite(data):
            raise HostileInput("number_out_of_range", "数值超出允许范围", field=field)
    elif isinstance(data, dict):
        for key, value in data.items():
            check_text(str(key), field=field)
            check_json(value, field=str(key), depth=depth + 1)
    elif isinstance(data, list):
        for value in data:
            check_json(value, field=field, depth=depth + 1)


def error_for(exc: Exception) -> HostileInput | None:
    """The refusal for an exception raised while reading a request, or None."""
    if isinstance(exc, HostileInput):
        return exc
    if isinstance(exc, RequestDataTooBig):
        return HostileInput("request_too_large", "提交的内容过大，请精简后重试", status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return HostileInput("too_many_fields", "提交的项目过多，请精简后重试")
    if isinstance(exc, UnicodeError):
        return HostileInput("invalid_text", "内容含有无法识别的字符，请删除后重试")
    if isinstance(exc, OverflowError):
        return HostileInput("number_out_of_range", "数值超出允许范围")
    if isinstance(exc, SuspiciousOperation):
        return HostileInput("bad_request", "请求无法处理")
    return None


def wants_json(request) -> bool:
    """Errors as ``{code, message, field}`` rather than a page: on ``/api/``, for a client
    that accepts JSON, and where a middleware set ``request.errors_as_json`` (Open311, which
    turns them into GeoReport's own error list)."""
    return (getattr(request, "errors_as_json", False) or request.path.startswith("/api/")
            or "application/json" in request.headers.get("Accept", ""))


def refusal_response(request, error: ServiceError):
    if wants_json(request):
        return JsonResponse(error.as_dict(), status=error.status)
    return render(request, "400.html", {"error": error,
                                        "request_id": getattr(request, "request_id", "")},
                  status=error.status)


def not_found_response(request):
    error = ServiceError("not_found", "页面不存在", status=404)
    if wants_json(request):
        return JsonResponse(error.as_dict(), status=404)
    return render(request, "404.html", {"request_id": getattr(request, "request_id", "")},
                  status=404)


class HostileInputMiddleware:
    """Check every request's query string, form fields and path arguments before the view.

    Placed before the CSRF middleware, which reads ``request.POST`` too: a
    ``RequestDataTooBig``/``TooManyFieldsSent`` raised there would reach Django's own 400
    (the technical page under DEBUG); raised here it becomes the same Chinese refusal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            for name, values in request.GET.lists():
                for value in values:
                    check_param(name, value)
            content_type = request.META.get("CONTENT_TYPE", "")
            if request.method == "POST" and content_type.startswith(
                    ("application/x-www-form-urlencoded", "multipart/form-data")):
                for name, values in request.POST.lists():
                    for value in values:
                        check_param(name, value)
        except Exception as exc:  # noqa: BLE001 - only the classes error_for knows are answered
            error = error_for(exc)
            if error is None:
                raise
            return refusal_response(request, error)
        for value in list(view_args) + list(view_kwargs.values()):
            if (isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX) or (
                    isinstance(value, str) and ("\x00" in value or _SURROGATE.search(value))):
                # No row has such an id, nor such a slug. Answered here, not raised: a raised
                # Http404 would show Django's technical page (the URL patterns) under DEBUG.
                return not_found_response(request)
        return None

    def process_exception(self, request, exception):
        """The net under the checks: a class above that still reached a view is a 4xx, and
        so is a ``ServiceError`` a page view let through."""
        error = error_for(exception)
        if error is None:
            from django.db import DataError

            if isinstance(exception, DataError):
                error = HostileInput("invalid_value", "提交的内容不符合要求")
            elif isinstance(exception, ServiceError):
                # A service's refusal that a page view did not catch (a console screen
                # opened for a room that does not exist or is another unit's): the same
                # Chinese answer the API gives, never a 500.
                if exception.status == 404:
                    return not_found_response(request)
                error = exception
        return refusal_response(request, error) if error is not None else None
