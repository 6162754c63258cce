"""Batches of one message sent at the same moment by separate workers (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from rongmei.push import tasks
from rongmei.push.models import PushMessage, PushSubscription


@pytest.mark.django_db(transaction=True)
def test_parallel_batches_count_every_outcome_once_and_finish_once(push_service):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the test's writes)")
    statuses = {f"s{i}": ([410] if i % 5 == 0 else [201]) for i in range(24)}
    ids = []
    for token, script in statuses.items():
        info = push_service.new_subscription(token, statuses=script)
        ids.append(PushSubscription.objects.create(
            endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"]).pk)
    message = PushMessage.objects.create(title="并发", body="四个批次同时发送", url="/",
                                         status="sending", target_count=len(ids))
    batches = [ids[i::4] for i in range(4)]
    barrier = threading.Barrier(len(batches))
    errors = []

    def worker(batch):
        try:
            barrier.wait()
            tasks.push_send_batch.call(message.pk, batch, 1)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == [] and push_service.problems == []
    message.refresh_from_db()
    assert (message.delivered_count, message.removed_count, message.failed_count) == (19, 5, 0)
    assert message.status == "done" and message.finished_at is not None
    assert PushSubscription.objects.count() == 19
