"""What every outlet adapter is made of, and how it reports failure.

An adapter is a *formatter* (snapshot + the editor's per-outlet version → a JSON payload,
run when the delivery is created, so the payload shown on the delivery screen is exactly what
is sent) and a *transmitter* (payload → remote calls → a :class:`Sent`). Transmitters raise
:class:`PermanentError` for anything a retry cannot fix (4xx-class answers, documented
permanent API errors, missing credentials) and :class:`TransientError` for the rest (5xx,
timeouts, connection errors, rate limits); the delivery engine turns these into ``failed``
at once or ``retrying`` with backoff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar


class DeliveryError(Exception):
    """``message`` is for people (Chinese); ``detail`` is the raw answer, secrets redacted."""

    permanent: ClassVar[bool] = False

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = redact(detail)


class PermanentError(DeliveryError):
    permanent = True


class TransientError(DeliveryError):
    permanent = False


class FormatError(PermanentError):
    """The snapshot cannot be turned into this outlet's payload (e.g. a video outlet and a
    story without video)."""


@dataclass
class Sent:
    """The result of one transmission.

    ``done=False`` means the platform accepted the work but has not finished it (WeChat's
    asynchronous publishing): the engine checks again after ``poll_after`` seconds, keeping
    ``state`` so the next call only polls.
    """

    remote_id: str = ""
    remote_url: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    done: bool = True
    poll_after: int = 60
    note: str = ""


@dataclass
class Figures:
    """One day of an account's figures as its platform reports them; None where the
    platform's API gives no such figure."""

    followers: int | None = None
    reads: int | None = None


def count(value) -> int | None:
    """A platform's count as a non-negative int, or None for anything else (a bool, text,
    a negative or absurd number): what we store is only what the platform plainly said."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**12:
        return None
    return value


_SECRET_PARAMS = re.compile(
    r"((?:access_token|access-token|secret|appsecret|refresh_token|client_secret)"
    r"[\"']?\s*[=:]\s*[\"']?)([^&\s\"',}]+)", re.IGNORECASE)


def redact(text: str) -> str:
    """Hide tokens and secrets that may sit in a URL or an echoed request."""
    return _SECRET_PARAMS.sub(r"\1***", text or "")[:4000]


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis


def pick(version: dict, key: str, fallback: str) -> str:
    """An editor override wins unless it is empty."""
    value = (version or {}).get(key) or ""
    return value if value.strip() else (fallback or "")
