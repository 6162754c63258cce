"""Sending one batch of a push message (RFC 8030 Web Push, RFC 8291 aes128gcm payload
encryption, RFC 8292 VAPID), and what each push-service answer means.

Network calls run in a small thread pool and touch no database; the calling task applies
their outcomes in one place (``apply_outcomes``), so a slow or broken endpoint costs only its
own timeout and one bad subscription never stops the batch:

=====================  ==============================================================
201/200/202            delivered: ``last_success_at`` set, failure count reset
404, 410               the subscription is gone (unsubscribed, expired): deleted
429, 5xx, no answer    retried (``PUSH_MAX_ATTEMPTS`` attempts in all, with back-off)
other 4xx, bad keys    failed (400 bad request, 403 VAPID mismatch, 413 too large)
=====================  ==============================================================

A subscription that fails ``PUSH_MAX_CONSECUTIVE_FAILURES`` messages in a row is deleted.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.db.models import F
from django.templatetags.static import static
from django.utils import timezone
from pywebpush import WebPusher
from requests.adapters import HTTPAdapter

from . import conf
from .keys import server_vapid
from .models import PushMessage, PushSubscription

logger = logging.getLogger("rongmei.push")

DELIVERED = "delivered"
GONE = "gone"
RETRY = "retry"
FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    subscription_id: int
    kind: str
    status: int | None = None
    retry_after: float | None = None


def payload_for(message: PushMessage) -> bytes:
    """What the service worker receives (see home/templates/home/sw.js)."""
    return json.dumps({
        "id": message.pk, "title": message.title, "body": message.body, "url": message.url,
        "topic": message.topic, "icon": static("rongmei/img/icon-192.png"),
        "tag": f"push-{message.pk}",
    }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def endpoint_origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class VapidHeaders:
    """One signed VAPID token per push-service origin per batch (ES256 signing is cheap,
    but there are only a handful of origins among thousands of subscribers)."""

    def __init__(self):
        self._vapid = server_vapid()
        self._by_origin: dict[str, dict] = {}

    def __call__(self, endpoint: str) -> dict:
        origin = endpoint_origin(endpoint)
        headers = self._by_origin.get(origin)
        if headers is None:
            claims = {"sub": conf.vapid_subject(), "aud": origin,
                      "exp": int(time.time()) + 12 * 3600}
            headers = self._vapid.sign(claims)
            self._by_origin[origin] = headers
        return headers


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def send_one(subscription: PushSubscription, *, data: bytes, headers: dict, ttl: int,
             session: requests.Session) -> Outcome:
    try:
        response = WebPusher(subscription.as_subscription_info(), requests_session=session
                             ).send(data, headers=dict(headers), ttl=ttl,
                                    content_encoding="aes128gcm",
                                    timeout=conf.request_timeout())
    except requests.RequestException as exc:
        logger.info("push to subscription %s: no answer (%s)", subscription.pk, exc)
        return Outcome(subscription.pk, RETRY)
    except Exception:  # malformed keys that passed validation, encryption errors
        logger.warning("push to subscription %s could not be prepared", subscription.pk,
                       exc_info=True)
        return Outcome(subscription.pk, FAILED)
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(subscription.pk, DELIVERED, status)
    if status in (404, 410):
        return Outcome(subscription.pk, GONE, status)
    if status == 429 or status >= 500:
        return Outcome(subscription.pk, RETRY, status, _retry_after(response))
    logger.warning("push to subscription %s refused: HTTP %s %s", subscription.pk, status,
                   response.text[:200])
    return Outcome(subscription.pk, FAILED, status)


def send_batch(message: PushMessage, subscriptions: list[PushSubscription]) -> list[Outcome]:
    """Encrypt and POST the message to each subscription; no database access here."""
    data = payload_for(message)
    vapid_headers = VapidHeaders()
    ttl = conf.ttl_seconds(message.topic)
    with requests.Session() as session:
        adapter = HTTPAdapter(pool_maxsize=conf.send_concurrency())
        session.mount("https://", adapter)

        def one(subscription):
            headers = {**vapid_headers(subscription.endpoint), "Urgency": "high"}
            return send_one(subscription, data=data, headers=headers, ttl=ttl, session=session)

        # Sign for every origin before the threads start: VapidHeaders is not thread-safe.
        for subscription in subscriptions:
            vapid_headers(subscription.endpoint)
        with ThreadPoolExecutor(max_workers=conf.send_concurrency()) as pool:
            return list(pool.map(one, subscriptions))


def apply_outcomes(message_id: int, outcomes: list[Outcome], *, missing: int = 0) -> None:
    """Record the final outcomes of a batch (retries excluded) on the subscriptions and the
    message's counters; ``missing`` subscriptions vanished (unsubscribed) before sending."""
    now = timezone.now()
    delivered = [o.subscription_id for o in outcomes if o.kind == DELIVERED]
    gone = [o.subscription_id for o in outcomes if o.kind == GONE]
    failed = [o.subscription_id for o in outcomes if o.kind in (FAILED, RETRY)]
    if delivered:
        PushSubscription.objects.filter(pk__in=delivered).update(last_success_at=now,
                                                                 failure_count=0)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    if failed:
        PushSubscription.objects.filter(pk__in=failed).update(failure_count=F("failure_count") + 1)
        PushSubscription.objects.filter(
            pk__in=failed, failure_count__gte=conf.max_consecutive_failures()).delete()
    PushMessage.objects.filter(pk=message_id).update(
        delivered_count=F("delivered_count") + len(delivered),
        removed_count=F("removed_count") + len(gone) + missing,
        failed_count=F("failed_count") + len(failed))
    finish_if_settled(message_id)


def finish_if_settled(message_id: int) -> None:
    from .models import PushMessageStatus

    settled = (F("delivered_count") + F("failed_count") + F("removed_count"))
    (PushMessage.objects.filter(pk=message_id, status=PushMessageStatus.SENDING)
     .alias(settled=settled).filter(settled__gte=F("target_count"))
     .update(status=PushMessageStatus.DONE, finished_at=timezone.now()))
