"""On PostgreSQL with real threads: a submission pressed twice at once makes one case, and
two overlapping wenzheng_tick runs escalate a deadline once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from rongmei.wenzheng import services
from rongmei.wenzheng.models import Case, CaseDeadline, CaseEvent, EventKind

from .conftest import submit

pytestmark = [pytest.mark.django_db(transaction=True)]


def run_in_threads(target, n):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 — collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent unique inserts need PostgreSQL")


def test_the_same_submission_at_once_makes_one_case(needs_postgres, wz):
    results, errors = run_in_threads(lambda: submit(wz, key="double-press").pk, 4)
    assert not errors, errors
    assert len(set(results)) == 1 and Case.objects.count() == 1


def test_overlapping_ticks_escalate_once(needs_postgres, wz):
    case = submit(wz)
    CaseDeadline.objects.filter(case=case).update(
        due_at=timezone.now() - timedelta(days=10), breached_at=timezone.now() - timedelta(days=9))
    results, errors = run_in_threads(lambda: services.wenzheng_tick()["escalated"], 4)
    assert not errors, errors
    assert sum(results) == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).count() == 1
