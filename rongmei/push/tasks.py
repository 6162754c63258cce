"""Background work for push messages (django-tasks: inline in development and tests, the
database worker in production)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from . import conf, sender
from .models import PushMessage, PushMessageStatus, PushSubscription


@task()
def push_fanout(message_id: int) -> int:
    """Take the topic's subscribers as they are now and enqueue one batch task per
    ``PUSH_BATCH_SIZE`` of them. Runs once per message (a conditional queued → sending
    move), so a task executed twice sends nothing twice. Returns the number targeted."""
    message = PushMessage.objects.filter(pk=message_id).first()
    if message is None:
        return 0
    ids = list(PushSubscription.objects.filter(topics__contains=f",{message.topic},")
               .order_by("pk").values_list("pk", flat=True))
    moved = PushMessage.objects.filter(pk=message_id, status=PushMessageStatus.QUEUED).update(
        status=PushMessageStatus.SENDING, started_at=timezone.now(), target_count=len(ids))
    if not moved:
        return 0
    if not ids:
        sender.finish_if_settled(message_id)
        return 0
    size = conf.batch_size()
    for start in range(0, len(ids), size):
        push_send_batch.enqueue(message_id, ids[start:start + size], 1)
    return len(ids)


@task()
def push_send_batch(message_id: int, subscription_ids: list[int], attempt: int) -> dict:
    """Send the message to these subscriptions. Those answered with 429/5xx or not at all
    are tried again (a new task, deferred when the backend can defer; otherwise after a
    pause in this one) until ``PUSH_MAX_ATTEMPTS``; then they count as failed."""
    message = PushMessage.objects.filter(pk=message_id).first()
    if message is None:
        return {}
    subscriptions = list(PushSubscription.objects.filter(pk__in=subscription_ids))
    missing = len(set(subscription_ids)) - len(subscriptions)
    outcomes = sender.send_batch(message, subscriptions)
    retry = [o for o in outcomes if o.kind == sender.RETRY]
    retrying = bool(retry) and attempt < conf.max_attempts()
    final = [o for o in outcomes if o.kind != sender.RETRY] if retrying else outcomes
    sender.apply_outcomes(message_id, final, missing=missing)
    if retrying:
        delay = conf.retry_delay_seconds() * 2 ** (attempt - 1)
        delay = min(max([delay] + [o.retry_after or 0 for o in retry]), 600)
        ids = [o.subscription_id for o in retry]
        if push_send_batch.get_backend().supports_defer:
            push_send_batch.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                message_id, ids, attempt + 1)
        else:  # inline backend (development, tests): a short pause, then the next attempt
            time.sleep(min(delay, 5))
            push_send_batch.enqueue(message_id, ids, attempt + 1)
    return {kind: sum(1 for o in outcomes if o.kind == kind)
            for kind in (sender.DELIVERED, sender.GONE, sender.RETRY, sender.FAILED)}
