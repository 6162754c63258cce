"""The delivery engine: claim a due delivery, transmit it through its adapter, record the
attempt, and settle the status (success / retrying with backoff / failed).

Two ways in, both safe to run at once: the task enqueued right after publishing
(:func:`send`), and the every-minute ``rongmei outlets_deliver`` (:func:`deliver_due`), which
picks due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL. Either way a delivery
is only sent by whoever moves it from pending/retrying to in_progress with a conditional
UPDATE, so two workers never send the same delivery.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from .adapters import DeliveryError, PermanentError, TransientError, adapter_for
from .models import (
    OPEN_STATUSES,
    PLACING_ACTIONS,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
)

logger = logging.getLogger(__name__)

# Sent after a delivery settles as success (``delivery=``). The services listen (apps.py)
# to take down what landed after a retraction; the engine does not import them back.
delivery_succeeded = Signal()


def retry_base() -> int:
    return getattr(settings, "OUTLETS_RETRY_BASE_SECONDS", 60)


def retry_cap() -> int:
    return getattr(settings, "OUTLETS_RETRY_MAX_SECONDS", 3600)


def max_attempts() -> int:
    return getattr(settings, "OUTLETS_MAX_ATTEMPTS", 8)


def backoff(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: base · 2^(attempts−1), capped (60 s, 2 min, 4 min …
    1 h by default)."""
    return timedelta(seconds=min(retry_base() * 2 ** max(attempts - 1, 0), retry_cap()))


def _claim(query) -> int:
    now = timezone.now()
    return query.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now).update(
        status=DeliveryStatus.IN_PROGRESS, attempts=F("attempts") + 1, started_at=now)


def send(delivery_id: int) -> Delivery | None:
    """Send one delivery if it is due and nobody else has taken it."""
    if not _claim(Delivery.objects.filter(pk=delivery_id)):
        return None
    return run(Delivery.objects.select_related("outlet").get(pk=delivery_id))


def claim_due(*, limit: int = 50) -> list[int]:
    """Take up to ``limit`` due deliveries for this worker (row locks skipped, not waited on,
    so concurrent workers split the queue instead of queueing behind each other)."""
    now = timezone.now()
    with transaction.atomic():
        due = Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        claimed = [pk for pk in ids if _claim(Delivery.objects.filter(pk=pk))]
    return claimed


def requeue_stale(*, minutes: int = 15) -> int:
    """Deliveries left in_progress by a worker that died are put back in the queue."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    return Delivery.objects.filter(status=DeliveryStatus.IN_PROGRESS,
                                   started_at__lt=cutoff).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=timezone.now(),
        last_error="发送过程中断，已重新排队")


def deliver_due(*, limit: int = 50) -> dict[str, int]:
    requeued = requeue_stale()
    counts = {"requeued": requeued, "sent": 0}
    for pk in claim_due(limit=limit):
        delivery = run(Delivery.objects.select_related("outlet").get(pk=pk))
        counts["sent"] += 1
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts


# Written (and committed) into remote_state before a publish goes out to a platform that
# cannot tell a repeat from a new post; cleared when the attempt settles. Finding it on a
# later attempt means a worker died mid-send: the outlet may hold the story already.
SENDING = "_sending"
INTERRUPTED = ("上次发送中途中断，渠道可能已经发布；为避免重复发布，不再自动重试。"
               "请到平台核对，确认未发布后再点“重试”")


def _open_send(delivery: Delivery, state: dict) -> bool:
    """Mark a non-idempotent placing send as started (committed at once). False when an
    earlier send was interrupted: it must not go out again by itself."""
    if delivery.action not in PLACING_ACTIONS:
        return True
    try:
        adapter = adapter_for(delivery.outlet.kind)
    except DeliveryError:
        return True  # run() reports the unknown kind
    if getattr(adapter, "idempotent", False):
        return True
    if state.get(SENDING):
        return False
    state[SENDING] = delivery.attempts
    Delivery.objects.filter(pk=delivery.pk).update(remote_state=state)
    return True


def run(delivery: Delivery) -> Delivery:
    """Transmit a delivery this worker has claimed (status in_progress) and settle it."""
    started = timezone.now()
    state = dict(delivery.remote_state or {})
    try:
        if not _open_send(delivery, state):
            raise PermanentError(INTERRUPTED, "remote_state._sending found: a worker died "
                                              "during an earlier attempt")
        adapter = adapter_for(delivery.outlet.kind)
        sent = adapter.transmit(outlet=delivery.outlet, payload=delivery.payload,
                                action=delivery.action, state=state, delivery_id=delivery.pk)
    except DeliveryError as exc:
        error = exc
    except Exception as exc:  # a bug must not leave the row in_progress forever
        logger.exception("outlet delivery %s crashed", delivery.pk)
        error = TransientError("发送时出现内部错误，稍后自动重试", f"{type(exc).__name__}: {exc}")
    else:
        error = None
    now = timezone.now()
    if not (error is not None and error.message == INTERRUPTED):
        state.pop(SENDING, None)  # settled: whatever happened, this worker saw the answer
    changes = {"remote_state": state, "updated_at": now}
    if error is None and sent.done:
        outcome, message = DeliveryAttempt.Outcome.SUCCESS, sent.note
        changes.update(status=DeliveryStatus.SUCCESS, remote_id=sent.remote_id[:200],
                       remote_url=sent.remote_url[:500], finished_at=now, next_attempt_at=None,
                       last_error="", last_error_detail="")
        if sent.note:
            changes["note"] = sent.note[:200]
        detail = ""
    elif error is None:  # accepted, still processing on the platform: poll again later
        outcome, message, detail = DeliveryAttempt.Outcome.WAITING, sent.note, ""
        changes.update(status=DeliveryStatus.RETRYING, note=sent.note[:200],
                       next_attempt_at=now + timedelta(seconds=sent.poll_after),
                       attempts=F("attempts") - 1)  # waiting is not a failed try
    elif error.permanent or delivery.attempts >= max_attempts():
        outcome, message, detail = DeliveryAttempt.Outcome.FAILED, error.message, error.detail
        if not error.permanent:
            message = f"{error.message}（已重试{delivery.attempts}次，不再自动重试）"
        changes.update(status=DeliveryStatus.FAILED, finished_at=now, next_attempt_at=None,
                       last_error=message[:300], last_error_detail=detail)
    else:
        outcome, message, detail = DeliveryAttempt.Outcome.RETRY, error.message, error.detail
        changes.update(status=DeliveryStatus.RETRYING, last_error=message[:300],
                       last_error_detail=detail,
                       next_attempt_at=now + backoff(delivery.attempts))
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(**changes)
        DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, outcome=outcome,
            message=(message or "")[:300], detail=detail, started_at=started, finished_at=now)
    if outcome == DeliveryAttempt.Outcome.FAILED:
        logger.warning("outlet delivery %s to %s failed: %s", delivery.pk, delivery.outlet_id,
                       message)
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.SUCCESS:
        delivery_succeeded.send(sender=Delivery, delivery=delivery)
    return delivery
