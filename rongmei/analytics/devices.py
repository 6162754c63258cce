"""Anonymous device ids the server issues and signs, so figures cannot be inflated by
inventing them.

A browser (or a native app) asks ``POST /analytics/device`` once and keeps the answer,
``<id>.<signature>``; the beacon accepts only ids this server signed and stores the ``<id>``
part. Issuing is limited per client address per day (``ANALYTICS_NEW_DEVICES_PER_CLIENT_PER_DAY``),
so one address can add at most that many 新增用户 a day however it scripts the beacon, and
checking a signature on the hot path is one HMAC — no Redis, no SQL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from django.conf import settings

from rongmei.core import ratelimit

ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,43}$")
SIGNATURE_LENGTH = 16  # base64url of 12 bytes of HMAC-SHA256
SIGNED_RE = re.compile(r"^([A-Za-z0-9_-]{8,43})\.([A-Za-z0-9_-]{16})$")


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"rongmei.analytics.device:" + secret.encode()).digest()


def sign(device_id: str) -> str:
    """``<id>.<signature>`` for an id of 8–43 characters ``[A-Za-z0-9_-]``."""
    if not ID_RE.match(device_id):
        raise ValueError("device id must be 8-43 characters of [A-Za-z0-9_-]")
    digest = hmac.new(_key(settings.SECRET_KEY), device_id.encode(), hashlib.sha256).digest()
    return f"{device_id}.{base64.urlsafe_b64encode(digest[:12]).decode()}"


def verified(value) -> str | None:
    """The id inside a signed value this server issued, else None."""
    if not isinstance(value, str):
        return None
    match = SIGNED_RE.match(value)
    if match is None:
        return None
    expected = sign(match.group(1))
    return match.group(1) if hmac.compare_digest(expected, value) else None


def issue(*, client_key: str) -> str:
    """A new signed id for a client address; RateLimitedError past the day's allowance."""
    ratelimit.hit("analytics-device", client_key,
                  limit=settings.ANALYTICS_NEW_DEVICES_PER_CLIENT_PER_DAY, window=86400,
                  message="新设备登记过于频繁，请明天再试")
    return sign(secrets.token_urlsafe(16))
