"""What every app's API router shares: authentication, the error shape, Chinese messages.

Every error leaves the API as ``{"code": ..., "message": ..., "field": ...}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from .errors import ServiceError, validation_error_from_django

logger = logging.getLogger("rongmei.api")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for native apps and mini-programs."""

    def authenticate(self, request, token):
        from rongmei.accounts.services import api_token_user

        user = api_token_user(token)
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
        logger.exception("unhandled API error on %s", request.path)
        return respond(request, {"code": "server_error", "message": "服务器开小差了，请稍后再试",
                                 "field": None}, 500)
