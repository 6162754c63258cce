"""Concurrent workers on PostgreSQL never send one delivery twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from rongmei.outlets import services
from rongmei.outlets.delivery import deliver_due, send
from rongmei.outlets.models import Delivery

from .conftest import make_outlet, make_snapshot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SELECT … FOR UPDATE SKIP LOCKED needs PostgreSQL; SQLite "
                              "serialises writers, so there is no race to test"),
]


def test_parallel_workers_and_tasks_send_each_delivery_exactly_once(standin, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    seen = Counter()
    lock = threading.Lock()

    def route(request):
        with lock:
            seen[request.headers["x-rongmei-delivery"]] += 1
        return 200, {"id": "ok"}

    server = standin(route)
    hooks = [make_outlet("webhook", api_base=server.url, name=f"hook{n}") for n in range(5)]
    for n in range(8):  # 8 stories × 5 outlets = 40 deliveries, queued, not yet sent
        services.distribute(make_snapshot(key=f"story:{n}"), outlet_ids=[h.pk for h in hooks])
    assert not seen
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 40
    start = threading.Barrier(6)
    errors = []

    def worker(task_path: bool):
        try:
            start.wait()
            if task_path:  # the task enqueued after publish, racing the timer
                for pk in ids:
                    send(pk)
            else:
                while deliver_due(limit=3)["sent"]:
                    pass
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n < 2,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert set(Delivery.objects.values_list("status", flat=True)) == {"success"}
    assert sorted(seen) == sorted(str(pk) for pk in ids)
    assert max(seen.values()) == 1, [k for k, v in seen.items() if v > 1]
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
