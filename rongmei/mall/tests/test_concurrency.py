"""N residents × M parallel orders on one product with stock S: never more than S sold, no
balance below zero, every balance equal to the sum of its entries — on real PostgreSQL.

The SQLite path gets a smaller crowd below (SQLite serializes writers, so it proves less).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Sum

from rongmei.accounts.models import User
from rongmei.core.errors import ServiceError
from rongmei.mall import services
from rongmei.mall.models import Order, OrderStatus, Product
from rongmei.points.models import PointsAccount, PointsEntry, PointsLot
from rongmei.tests_support import make_merchant, make_user

from .conftest import give_points, make_product

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: row locks under real concurrency (CI runs this on PostgreSQL)")


def residents(n: int, start: int, points: int) -> list[User]:
    User.objects.bulk_create([User(phone=str(start + i), password="!") for i in range(n)])
    people = list(User.objects.filter(phone__gte=str(start), phone__lt=str(start + n))
                  .order_by("phone"))
    operator = make_user("operator")
    for person in people:
        give_points(person, points, operator)
    return people


def crowd(attempts, *, workers: int) -> dict:
    """Run (user, product id, key, quantity) order attempts on a pool of threads."""
    outcome = {"ordered": 0, "sold_out": 0, "over_limit": 0, "insufficient_points": 0,
               "other": []}
    lock = threading.Lock()

    def run(chunk):
        try:
            for user, product_id, key, quantity in chunk:
                try:
                    services.order_place(user=user, product_id=product_id, quantity=quantity,
                                         fulfilment="pickup", key=key)
                    code = "ordered"
                except ServiceError as exc:
                    code = exc.code
                with lock:
                    if code in outcome:
                        outcome[code] += 1
                    else:
                        outcome["other"].append(code)
        finally:
            connections.close_all()

    chunks = [attempts[i::workers] for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, chunks))
    return outcome


def assert_ledger_invariants(product: Product, stock: int) -> int:
    product.refresh_from_db()
    sold = (Order.objects.filter(product=product).exclude(status=OrderStatus.CANCELLED)
            .aggregate(n=Sum("quantity"))["n"] or 0)
    assert product.stock >= 0
    assert sold + product.stock == stock, "stock leaked or was oversold"
    assert not PointsAccount.objects.filter(balance__lt=0).exists()
    for account in PointsAccount.objects.all():
        entries = PointsEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
        lots = PointsLot.objects.filter(account=account).aggregate(s=Sum("remaining"))["s"]
        assert account.balance == entries == lots
    over = (Order.objects.filter(product=product).exclude(status=OrderStatus.CANCELLED)
            .values("user").annotate(n=Sum("quantity")).filter(n__gt=product.per_person_limit))
    assert not over.exists(), "somebody exceeded the per-person limit"
    return sold


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_many_residents_many_parallel_orders_never_oversell():
    stock = 150
    product = make_product(make_merchant(), stock=stock, price_points=100, per_person_limit=3)
    people = residents(120, 15300000000, points=250)  # enough for 2 of 3 allowed
    # Every resident presses 4 times with distinct keys (M=4) and twice with a repeated key.
    attempts = [(p, product.pk, f"{p.pk}-{m}", 1) for p in people for m in range(4)]
    attempts += [(p, product.pk, f"{p.pk}-0", 1) for p in people[:40]]
    outcome = crowd(attempts, workers=16)
    assert outcome["other"] == []
    sold = assert_ledger_invariants(product, stock)
    assert sold == stock
    assert Order.objects.filter(product=product).count() == stock


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_orders_and_cancels_restore_exactly():
    stock = 60
    product = make_product(make_merchant(), stock=stock, price_points=40, per_person_limit=2)
    people = residents(40, 15400000000, points=100)
    first = crowd([(p, product.pk, f"a{p.pk}", 2) for p in people], workers=12)
    assert first["ordered"] == 30 and first["sold_out"] == 10
    orders = list(Order.objects.filter(product=product))
    barrier = threading.Barrier(12)

    def cancel_twice(order):
        barrier.wait()
        try:
            services.order_cancel(user=order.user, order_id=order.pk)
        except ServiceError as exc:
            assert exc.code == "not_cancellable"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(cancel_twice, (orders[:6] * 2)))
    assert Order.objects.filter(status=OrderStatus.CANCELLED).count() == 6
    assert assert_ledger_invariants(product, stock) == 48
    assert PointsAccount.objects.filter(balance=100).count() == 10 + 6


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_double_verification_race_has_exactly_one_winner():
    merchant = make_merchant()
    owner = merchant.staff.get().user
    product = make_product(merchant)
    resident = residents(1, 15200000000, points=500)[0]
    order = services.order_place(user=resident, product_id=product.pk, quantity=1,
                                 fulfilment="pickup", key="race")
    barrier = threading.Barrier(10)
    results = []

    def scan(_):
        try:
            barrier.wait()
            services.order_verify(actor=owner, code=order.pickup_code)
            results.append("ok")
        except ServiceError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(scan, range(10)))
    assert results.count("ok") == 1 and results.count("already_verified") == 9


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="the SQLite-path variant of the crowd test")
@pytest.mark.django_db(transaction=True)
def test_sqlite_path_small_crowd_never_oversells():
    stock = 20
    product = make_product(make_merchant(), stock=stock, price_points=100, per_person_limit=2)
    people = residents(15, 15100000000, points=200)
    attempts = [(p, product.pk, f"{p.pk}-{m}", 1) for p in people for m in range(3)]
    outcome = crowd(attempts, workers=4)
    assert outcome["other"] == []
    assert assert_ledger_invariants(product, stock) == stock


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pickup_codes_never_exceed_the_failure_allowance():
    """Wrong codes are counted before the lookup, so a burst of parallel guesses gets no more
    tries than the same guesses one by one (a check-then-count let 20 of 40 through)."""
    from django.test import Client

    merchant = make_merchant()
    owner = merchant.staff.get().user
    guesses = 3 * services.VERIFY_FAILURES_ALLOWED
    barrier = threading.Barrier(8)

    def guess(n):
        client = Client()
        client.force_login(owner)
        if n < 8:
            barrier.wait()
        try:
            return client.post("/mall/verify/", {"code": f"ZZZZZZ{n:02d}"}).status_code
        finally:
            connections.close_all()

    import time_machine

    with time_machine.travel("2026-12-02 10:00:00+08:00", tick=False), \
            ThreadPoolExecutor(max_workers=8) as pool:  # one rate-limit window
        statuses = list(pool.map(guess, range(guesses)))
    assert statuses.count(404) == services.VERIFY_FAILURES_ALLOWED
    assert statuses.count(429) == guesses - services.VERIFY_FAILURES_ALLOWED
