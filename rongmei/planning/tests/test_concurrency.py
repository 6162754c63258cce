"""Double booking under parallel requests, on PostgreSQL: eight dispatchers book the same
reporter (and the same vehicle) for overlapping times at the same moment; exactly one wins."""

import pytest
from django.db import connection

from rongmei.tests_support import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="row locks are serialised only on PostgreSQL (SQLite has one writer)")
def test_parallel_bookings_of_one_person_or_vehicle_book_it_once(desk):
    from datetime import timedelta

    from rongmei.planning import dispatch
    from rongmei.planning.models import Assignment

    from .conftest import approved_topic, slot

    topics = [approved_topic(desk, title=f"选题{i}") for i in range(4)]
    start, end = slot()

    def book(topic, offset, **who):
        return lambda: dispatch.assignment_create(
            actor=desk.dispatcher, topic=topic, starts_at=start + timedelta(minutes=offset),
            ends_at=end + timedelta(minutes=offset), **who)

    calls = [book(t, i * 10, duty="reporter", assignee_id=desk.reporter.pk)
             for i, t in enumerate(topics)]
    calls += [book(t, i * 10, duty="vehicle", resource_id=desk.vehicle.pk)
              for i, t in enumerate(topics)]
    outcomes = run_at_once(calls)
    assert sorted(outcomes) == ["double_booked"] * 6 + ["ok"] * 2
    assert Assignment.objects.filter(assignee=desk.reporter).count() == 1
    assert Assignment.objects.filter(resource=desk.vehicle).count() == 1


assert connection  # the skip condition names it
