"""Errors as part of the contract.

Every API error has the shape ``{"code": ..., "message": ..., "field": ...}``: clients switch
on ``code`` (stable, English, snake_case), people read ``message`` (Chinese). Services raise
:class:`ServiceError` (or a subclass); the API layer and the H5 views turn it into a response.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule said no. Carries a stable code and a Chinese message."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 status: int | None = None, extra: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        self.extra = extra or {}

    def as_dict(self) -> dict:
        payload = {"code": self.code, "message": self.message, "field": self.field}
        payload.update(self.extra)
        return payload


class PermissionDeniedError(ServiceError):
    status = 403

    def __init__(self, message: str = "没有权限执行此操作", *, code: str = "permission_denied"):
        super().__init__(code, message)


class NotFoundError(ServiceError):
    status = 404

    def __init__(self, message: str = "内容不存在或已删除", *, code: str = "not_found"):
        super().__init__(code, message)


class RateLimitedError(ServiceError):
    status = 429

    def __init__(self, message: str, *, code: str = "rate_limited", retry_after: int = 60):
        super().__init__(code, message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def validation_error_from_django(exc, *, code: str = "invalid") -> ServiceError:
    """Turn a ``django.core.exceptions.ValidationError`` into one ServiceError."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = errors[0].messages[0] if hasattr(errors[0], "messages") else str(errors[0])
        return ServiceError(code, message, field=None if field == "__all__" else field)
    return ServiceError(code, exc.messages[0])
