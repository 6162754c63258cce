"""What every app's API router shares: authentication, the error shape, Chinese messages,
and the part of the OpenAPI document that the shared machinery answers for every route.

Every error leaves the API as ``{"code": ..., "message": ..., "field": ...}`` — including
405 for a method a path does not have.
"""

from __future__ import annotations

import functools
import logging
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import URLPattern
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from pydantic import BeforeValidator, Field, Strict

from .errors import ServiceError, validation_error_from_django
from .hostile_input import INT64_MAX, check_json, error_for

logger = logging.getLogger("rongmei.api")


# Integers the database can hold (INT64_MAX, core.hostile_input): every id is a bigint, and an
# offset past 2^63 is no page. Declared in the schema (so clients and schemathesis know) and
# enforced before any query.


def _json_integer(value):
    """JSON's integers: 3 and 3.0 (the same number in JSON), never "3" or true."""
    if isinstance(value, bool | str):
        raise ValueError("应为整数")  # noqa: TRY004 - pydantic reports ValueError as a 422
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _form_boolean(value):
    """A form's booleans are the words true and false (what OpenAPI clients send)."""
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


# Text the services refuse when nothing is left after trimming (str.strip()) and removing
# control characters (core.text.plain_text). Spelled out rather than "\S", whose meaning
# differs between JSON Schema's (ECMAScript), pydantic's (Rust) and Python's regexes.
BLANK = r"\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NONBLANK = rf"[^{BLANK}]"  # a pattern: "contains something besides blanks"


# What str.strip() removes, for fields the services only trim.
SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NONSPACE = rf"[^{SPACE}]"  # a pattern: "contains something besides spaces"


def at_least(characters: int) -> str:
    """A pattern: at least ``characters`` characters once leading and trailing blanks are
    trimmed (``characters`` ≥ 2)."""
    return rf"^[{BLANK}]*[^{BLANK}][\s\S]{{{characters - 2},}}[^{BLANK}][{BLANK}]*$"


def documented(default=..., *, description: str | None = None, **schema):
    """A field whose rule (``pattern``, ``maxLength``, ``enum``, ``minimum`` …, in JSON
    Schema's words) is stated in the document but checked by the service, which answers
    with its own stable code and Chinese message (400) rather than pydantic's generic 422.
    ``schema`` may instead be one callable, run when the document is generated."""
    extra = schema.pop("extra", None) or schema
    return Field(default, description=description, json_schema_extra=extra)


def decimal_range(maximum: int) -> dict:
    """The document of a ``Decimal`` from 0 to ``maximum`` (a power of ten), for
    ``json_schema_extra``: a JSON number in range or a decimal string in range. Pydantic's
    own says "any string", and then refuses "" or "abc" with a 422."""
    digits = len(str(maximum)) - 1
    pattern = rf"^0*([0-9]{{1,{digits}}}(\.[0-9]+)?|{maximum}(\.0+)?)$"
    return {"anyOf": [{"type": "number", "minimum": 0, "maximum": maximum},
                      {"type": "string", "pattern": pattern}, {"type": "null"}]}


# (Bounds before the BeforeValidator, or the document would carry them as unknown keys.)
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]  # an id in a path or query
Offset = Annotated[int, Field(ge=0, le=INT64_MAX)]
JsonInt = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX), BeforeValidator(_json_integer)]
JsonId = Annotated[int, Field(ge=1, le=INT64_MAX), BeforeValidator(_json_integer)]
FormBool = Annotated[bool, BeforeValidator(_form_boolean), Strict()]


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def _token_user(token: str):
    """The user an app token belongs to, through ``settings.API_TOKEN_USER`` (accounts owns
    tokens; this module is below it and only knows the dotted path)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.API_TOKEN_USER)(token)


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for native apps and mini-programs."""

    def authenticate(self, request, token):
        user = _token_user(token)
        if user is not None:
            request.user = user
        return user


class ResidentSessionAuth(SessionAuth):
    """The H5 app's session cookie (CSRF-checked on unsafe methods).

    Without a session cookie there is nothing to check: a native client's bearer-token POST
    must not be refused for lacking a CSRF token it has no cookie to pair with.
    """

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


AUTH = [BearerTokenAuth(), ResidentSessionAuth()]


def authenticate(request):
    """The signed-in user by the same rules as ``AUTH`` (bearer token, else session with
    CSRF), for endpoints that answer some requests before knowing who asks — such as a grab
    after the sell-out. Raises AuthenticationError (401) when nobody is signed in."""
    from ninja.errors import AuthenticationError

    for method in AUTH:
        user = method(request)
        if user:
            request.auth = user
            return user
    raise AuthenticationError()

_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "string_type": "应为文本",
    "string_too_short": "内容太短",
    "string_too_long": "内容太长",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    "json_invalid": "请求内容不是有效的 JSON",
    "model_attributes_type": "请求内容格式不正确",
    "dict_type": "请求内容格式不正确",
    "list_type": "应为列表",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "datetime_parsing": "日期时间格式不正确",
    "date_parsing": "日期格式不正确",
    "uuid_parsing": "编号格式不正确",
}

MALFORMED = {"code": "malformed_request", "message": "请求内容无法解析，请检查 JSON 格式",
             "field": None}
NOT_AN_OBJECT = {"code": "malformed_request", "message": "请求内容应为 JSON 对象（{…}）",
                 "field": None}


class NotAnObject(ValueError):
    pass


class ObjectBodyParser(Parser):
    """Every JSON body of this API is an object. ninja's schemas read attributes from
    whatever they are given, so ``42`` or ``[null, null]`` would otherwise pass as a body
    whose fields all take their defaults."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise NotAnObject("request body is not a JSON object")
        check_json(data)  # lone surrogates, NUL, integers past 64 bits: refused here, once
        return data

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file", "payload"}


def _first_validation_error(errors: list[dict]) -> tuple[str | None, str]:
    if not errors:
        return None, "请求格式不正确"
    error = errors[0]
    loc = [str(p) for p in error.get("loc", ()) if str(p) not in _LOCATIONS]
    field = loc[-1] if loc else None
    message = _PYDANTIC_MESSAGES.get(error.get("type", ""), "格式不正确")
    if field:
        message = f"{field}：{message}"
    return field, message


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, payload: dict, status: int):
        return api.create_response(request, payload, status=status)

    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        response = respond(request, exc.as_dict(), exc.status)
        if "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = list(exc.errors)
        if errors and errors[0].get("type") == "json_invalid":
            return respond(request, MALFORMED, 400)
        field, message = _first_validation_error(errors)
        return respond(request, {"code": "invalid_request", "message": message, "field": field},
                       422)

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc: DjangoValidationError):
        error = validation_error_from_django(exc)
        return respond(request, error.as_dict(), 400)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return respond(request, {"code": "not_authenticated", "message": "请先登录",
                                 "field": None}, 401)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:  # ninja's "Cannot parse request body"
            if isinstance(exc.__cause__, NotAnObject):
                return respond(request, NOT_AN_OBJECT, 400)
            hostile = error_for(exc.__cause__) if exc.__cause__ is not None else None
            if hostile is not None:  # a body too large, a lone surrogate, a huge number …
                return respond(request, hostile.as_dict(), hostile.status)
            return respond(request, MALFORMED, 400)
        codes = {403: ("permission_denied", "没有权限"),
                 404: ("not_found", "内容不存在"), 405: ("method_not_allowed", "不支持的请求方式"),
                 429: ("rate_limited", "请求过于频繁，请稍后再试")}
        code, message = codes.get(exc.status_code, ("http_error", "请求无法处理"))
        return respond(request, {"code": code, "message": message, "field": None},
                       exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, {"code": "not_found", "message": "内容不存在或已删除",
                                 "field": None}, 404)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        hostile = error_for(exc)  # e.g. request.POST read inside a view: too many fields
        if hostile is not None:
            return respond(request, hostile.as_dict(), hostile.status)
        logger.exception("unhandled API error on %s", request.path)
        return respond(request, {"code": "server_error", "message": "服务器开小差了，请稍后再试",
                                 "field": None}, 500)


# --- the shared answers, documented once --------------------------------------------------

# What the shared machinery answers, whichever route it is: validation (422) and hostile
# input (400) for any route with parameters or a body, an unparseable or oversized body (400,
# 413), a missing or
# invalid sign-in (401) on routes that need one, and an unknown id in the path (404). Each
# route still declares its own business errors (403, 409, 429, 503 …) next to its 200.
SHARED_ERRORS = {
    400: ("请求无法解析，或含有不允许的字符、超出范围的数值", "malformed_request / invalid_text / "
          "number_out_of_range"),
    401: ("未登录或登录已失效", "not_authenticated"),
    404: ("路径中的编号不存在", "not_found"),
    413: ("请求内容过大", "request_too_large"),
    422: ("参数不符合要求（message 指明哪一项）", "invalid_request"),
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def shared_error_statuses(operation: dict) -> set[int]:
    """The statuses the shared machinery may answer for one OpenAPI operation."""
    statuses = set()
    parameters = operation.get("parameters") or []
    if parameters or operation.get("requestBody"):
        statuses |= {400, 422}  # 400: hostile input (core.hostile_input), refused centrally
    if operation.get("requestBody"):
        statuses.add(413)
    if operation.get("security"):
        statuses.add(401)
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    return statuses


def document_shared_errors(document: dict) -> dict:
    """Add the shared error answers to every operation of an OpenAPI document that does not
    already declare them, each as the ``ErrorOut`` shape."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            _no_null_body(operation)
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses if str(status).isdigit()}
            for status in sorted(shared_error_statuses(operation) - declared):
                description, code = SHARED_ERRORS[status]
                responses[status] = {
                    "description": f"{description}（code: {code}）",
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    return document


def _no_null_body(operation: dict) -> None:
    """An optional body is absent, never ``null``: ObjectBodyParser refuses anything but an
    object, so the document must not offer ``null`` as a body."""
    for media in (operation.get("requestBody") or {}).get("content", {}).values():
        schema = media.get("schema", {})
        options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
        if "anyOf" in schema and len(options) < len(schema["anyOf"]):
            media["schema"] = options[0] if len(options) == 1 else {**schema, "anyOf": options}


METHOD_NOT_ALLOWED = {"code": "method_not_allowed", "message": "不支持的请求方式", "field": None}


def _json_method_not_allowed(view):
    """ninja answers a method a path does not have with Django's bare HTML 405; answer it
    in the error shape instead, keeping the ``Allow`` header."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"):
            allowed = response.get("Allow", "")
            response = JsonResponse(METHOD_NOT_ALLOWED, status=405)
            response["Allow"] = allowed
        return response

    return wrapper


def served_first(fast):
    """Serve an operation's common case with ``fast(request, **path) -> dict | None`` ahead
    of django-ninja's generic machinery (parameter binding, the authentication loop, the
    response's validation), for a hot path such as a contest's vote.

    ``fast`` returns the 200 answer (the operation's response schema, the same dict the
    operation returns), or None to leave the request to the operation itself: ``fast`` must
    hand over every case whose doors it does not check itself (another method, a missing
    sign-in, a path parameter it cannot vouch for). What it raises is answered by the API's
    own exception handlers, so errors keep the ``{code, message, field}`` shape. The route
    stays the operation's in the OpenAPI document, and its URL pattern is tried first."""

    def mark(view_func):
        view_func.served_first = fast
        return view_func

    return mark


def bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, as ``HttpBearer`` reads it
    (None without one)."""
    value = request.headers.get("Authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token if scheme.lower() == "bearer" else None


class RongmeiAPI(NinjaAPI):
    """The project's NinjaAPI: bodies must be JSON objects, the shared error answers are part
    of every operation's documented responses, 405 is JSON like every other error, and an
    operation marked ``served_first`` has its fast view tried first."""

    def __init__(self, **kwargs):
        kwargs.setdefault("parser", ObjectBodyParser())
        super().__init__(**kwargs)

    def get_openapi_schema(self, **kwargs):
        return document_shared_errors(super().get_openapi_schema(**kwargs))

    def _get_urls(self):
        urls = super()._get_urls()
        fast = self._fast_views()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
                if pattern.name in fast:
                    pattern.callback = self._served_first(fast[pattern.name], pattern.callback)
        # Hot routes first: Django tries the patterns in order (a vote's path otherwise came
        # after some 180 others). No two routes of this API match the same path.
        return sorted(urls, key=lambda p: not (isinstance(p, URLPattern) and p.name in fast))

    def _fast_views(self) -> dict:
        found = {}
        for router in self._get_bound_routers():
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    fast = getattr(operation.view_func, "served_first", None)
                    if fast is not None:
                        name = getattr(operation, "url_name", "")
                        assert name, "a served_first operation needs its own url_name"
                        found[name] = fast
        return found

    def _served_first(self, fast, view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                answer = fast(request, **kwargs)
            except Exception as exc:  # noqa: BLE001 - answered by the API's own handlers
                return self.on_exception(request, exc)
            if answer is None:
                return view(request, *args, **kwargs)
            return self.create_response(request, answer, status=200)

        return wrapper
