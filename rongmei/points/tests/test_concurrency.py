"""Caps, balances and idempotency hold with real concurrent requests on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Sum

from rongmei.core.errors import ServiceError
from rongmei.points import services
from rongmei.points.models import PointsAccount, PointsEntry

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks (CI runs this on PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]


def run_parallel(fn, items, workers=12):
    def wrapped(item):
        try:
            return fn(item)
        except ServiceError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(wrapped, items))


def test_cap_holds_under_concurrent_reads(rules, make_user):
    user = make_user()
    run_parallel(lambda n: services.points_earn(user=user, action="read_article",
                                                source=f"article:{n}"), range(60))
    assert PointsAccount.objects.get(user=user).balance == 10


def test_replayed_event_pays_once_even_in_parallel(rules, make_user):
    user = make_user()
    results = run_parallel(lambda _: services.points_earn(
        user=user, action="quiz", source="quiz:7", key="quiz:7:attempt:1"), range(30))
    assert len({entry.pk for entry in results}) == 1
    assert PointsAccount.objects.get(user=user).balance == 5


def test_parallel_spends_never_overdraw(rules, make_user):
    user = make_user()
    for n in range(4):
        services.points_earn(user=user, action="quiz", source=f"quiz:{n}")  # 20 points
    results = run_parallel(lambda n: services.points_spend(
        user=user, amount=3, action="mall", reason="兑换", source=f"order:{n}",
        key=f"order:{n}"), range(20))
    spent = [r for r in results if not isinstance(r, str)]
    assert len(spent) == 6 and results.count("insufficient_points") == 14
    account = PointsAccount.objects.get(user=user)
    total = PointsEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    assert account.balance == total == 2
