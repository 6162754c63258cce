"""The shop's moves on an order race the buyer's and each other: cancel by the buyer, cancel
by the shop, hand-over by pickup code, shipping. On real PostgreSQL each order makes exactly
one move, and points and stock come back exactly once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum

from rongmei.mall import services
from rongmei.mall.models import Order, OrderEvent, OrderStatus, Product
from rongmei.points.models import PointsAccount, PointsEntry, PointsLot
from rongmei.tests_support import make_clerk, make_merchant, make_user, run_at_once

from .conftest import give_points, make_product

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: row locks under real concurrency (CI runs this on PostgreSQL)")

ORDERS = 12


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_every_order_makes_exactly_one_move_and_refunds_once():
    shop = make_merchant(name="荷塘农家")
    owner, clerk = shop.staff.get().user, make_clerk(shop)
    operator = make_user("operator")
    product = make_product(shop, stock=100, price_points=30, per_person_limit=ORDERS * 3)
    buyer = make_user()
    give_points(buyer, 10_000, operator)
    pickups = [services.order_place(user=buyer, product_id=product.pk, quantity=1,
                                    fulfilment="pickup", key=f"p{n}") for n in range(ORDERS)]
    deliveries = [services.order_place(user=buyer, product_id=product.pk, quantity=2,
                                       fulfilment="delivery", key=f"d{n}", recipient="张三",
                                       phone="13812345678", address="上塘村")
                  for n in range(ORDERS)]
    for order in pickups:
        outcomes = run_at_once([
            lambda o=order: services.order_cancel(user=buyer, order_id=o.pk),
            lambda o=order: services.order_cancel_by_staff(actor=owner, order_id=o.pk,
                                                           reason="缺货"),
            lambda o=order: services.order_cancel_by_staff(actor=operator, order_id=o.pk,
                                                           reason="代为取消"),
            lambda o=order: services.order_verify(actor=clerk, code=o.pickup_code)])
        assert outcomes.count("ok") == 1, outcomes
    for order in deliveries:
        outcomes = run_at_once([
            lambda o=order: services.order_ship(actor=clerk, order_id=o.pk,
                                                tracking_note="中通 7312"),
            lambda o=order: services.order_cancel_by_staff(actor=owner, order_id=o.pk,
                                                           reason="无法配送"),
            lambda o=order: services.order_cancel(user=buyer, order_id=o.pk)])
        assert outcomes.count("ok") == 1, outcomes

    for order in Order.objects.all():
        moves = OrderEvent.objects.filter(order=order, from_status=OrderStatus.RESERVED)
        assert moves.count() == 1 and moves.get().to_status == order.status
    kept = Order.objects.exclude(status=OrderStatus.CANCELLED)
    sold = kept.aggregate(n=Sum("quantity"))["n"] or 0
    assert Product.objects.get(pk=product.pk).stock == 100 - sold
    account = PointsAccount.objects.get(user=buyer)
    spent = kept.aggregate(p=Sum("points_total"))["p"] or 0
    assert account.balance == 10_000 - spent
    assert account.balance == PointsEntry.objects.filter(account=account).aggregate(
        s=Sum("amount"))["s"] == PointsLot.objects.filter(account=account).aggregate(
        s=Sum("remaining"))["s"]
