"""Small helpers about the HTTP request that several apps need."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For is trusted only behind our own proxy."""
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR")
