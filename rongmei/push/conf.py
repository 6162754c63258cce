"""Tunables of the push app, each overridable by a Django setting of the same name.

They are read with ``getattr`` so the app works before ``config/settings.py`` names them;
only ``VAPID_PRIVATE_KEY`` and ``VAPID_SUBJECT`` are wired to the environment today.
"""

from __future__ import annotations

from django.conf import settings

# The push services browsers use. Endpoints elsewhere are refused, because the server POSTs
# to whatever endpoint a subscriber sends (an open list would be a request-forgery relay).
DEFAULT_ENDPOINT_HOSTS = (
    "fcm.googleapis.com",                 # Chrome, Edge (Chromium), Samsung, most Android
    "android.googleapis.com",             # older Chrome subscriptions
    "updates.push.services.mozilla.com",  # Firefox
    "push.services.mozilla.com",
    "*.push.apple.com",                   # Safari, iOS/iPadOS home-screen web apps (16.4+)
    "*.notify.windows.com",               # legacy Edge
)


def endpoint_hosts() -> tuple[str, ...]:
    return tuple(getattr(settings, "PUSH_ENDPOINT_HOSTS", DEFAULT_ENDPOINT_HOSTS))


def subscribe_per_minute() -> int:
    """Subscribe/unsubscribe calls per client address per minute."""
    return int(getattr(settings, "PUSH_SUBSCRIBE_PER_MINUTE", 20))


def ttl_seconds(topic: str) -> int:
    """How long a push service keeps a message for an offline phone. Breaking news older
    than a few hours is no longer breaking."""
    return int(getattr(settings, "PUSH_TTL_SECONDS", 4 * 3600))


def batch_size() -> int:
    return int(getattr(settings, "PUSH_BATCH_SIZE", 500))


def max_attempts() -> int:
    """Attempts per subscription for a 429/5xx/network failure (the first one included)."""
    return int(getattr(settings, "PUSH_MAX_ATTEMPTS", 3))


def retry_delay_seconds() -> float:
    """Base back-off before a retry (doubles each attempt; a push service's Retry-After wins
    when longer, up to 10 minutes)."""
    return float(getattr(settings, "PUSH_RETRY_DELAY_SECONDS", 30))


def max_consecutive_failures() -> int:
    """A subscription failing this many messages in a row (permanent errors or retries
    exhausted) is deleted."""
    return int(getattr(settings, "PUSH_MAX_CONSECUTIVE_FAILURES", 5))


def send_concurrency() -> int:
    return int(getattr(settings, "PUSH_SEND_CONCURRENCY", 8))


def request_timeout() -> float:
    return float(getattr(settings, "PUSH_REQUEST_TIMEOUT", 10))


def vapid_subject() -> str:
    return settings.VAPID_SUBJECT
