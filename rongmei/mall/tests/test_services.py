"""Placing, verifying, cancelling and expiring mall orders; every bad input is refused in
Chinese and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.mall import services
from rongmei.mall.models import Order, OrderEvent, OrderStatus, Product, StockAdjustment
from rongmei.points.models import PointsEntry, PointsLot
from rongmei.tests_support import make_merchant, make_user

from .conftest import balance, give_points, make_product

pytestmark = pytest.mark.django_db


def place(user, product, *, key="k1", quantity=1, fulfilment="pickup", **extra):
    return services.order_place(user=user, product_id=product.pk, quantity=quantity,
                                fulfilment=fulfilment, key=key, **extra)


def snapshot(user, product):
    return (balance(user), Product.objects.get(pk=product.pk).stock, Order.objects.count(),
            PointsEntry.objects.count(), OrderEvent.objects.count())


def test_placing_an_order_reserves_stock_and_points_and_is_audited(shop):
    product = make_product(shop.merchant, price_cash=1500)
    resident = make_user()
    give_points(resident, 500)
    order = place(resident, product, quantity=2)
    assert order.status == OrderStatus.RESERVED
    assert (order.points_total, order.cash_total) == (200, 3000)
    assert Product.objects.get(pk=product.pk).stock == 8
    assert balance(resident) == 300
    assert order.points_entry.amount == -200
    assert len(order.pickup_code) == 8
    assert not set(order.pickup_code) & set("01OIL")
    assert order.expires_at > timezone.now() + timedelta(hours=1)
    assert [(e.from_status, e.to_status) for e in order.events.all()] == [("", "reserved")]


def test_double_submitted_order_returns_the_first_and_changes_nothing(shop):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    first = place(resident, product, key="same")
    before = snapshot(resident, product)
    again = place(resident, product, key="same")
    assert again.pk == first.pk
    assert snapshot(resident, product) == before


@pytest.mark.parametrize("quantity", [0, -1, "abc", "", None, True, 1000])
def test_bad_quantities_are_refused(shop, quantity):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    before = snapshot(resident, product)
    with pytest.raises(ServiceError) as exc:
        place(resident, product, quantity=quantity)
    assert exc.value.code == "invalid_quantity" and "数量" in exc.value.message
    assert snapshot(resident, product) == before


def test_too_few_points_refused_and_nothing_changes(shop):
    product = make_product(shop.merchant, price_points=300)
    resident = make_user()
    give_points(resident, 200)
    before = snapshot(resident, product)
    with pytest.raises(ServiceError) as exc:
        place(resident, product)
    assert exc.value.code == "insufficient_points" and "积分不足" in exc.value.message
    assert snapshot(resident, product) == before


def test_sold_out_refused_and_nothing_changes(shop):
    product = make_product(shop.merchant, stock=1, per_person_limit=5)
    resident = make_user()
    give_points(resident, 1000)
    before = snapshot(resident, product)
    with pytest.raises(ServiceError) as exc:
        place(resident, product, quantity=2)
    assert exc.value.code == "sold_out" and "仅剩1件" in exc.value.message
    place(resident, product, key="k2")
    with pytest.raises(ServiceError) as exc:
        place(resident, product, key="k3")
    assert exc.value.message == "商品已兑完"
    assert balance(resident) == before[0] - 100


def test_per_person_limit_counts_earlier_orders_but_not_cancelled_ones(shop):
    product = make_product(shop.merchant, per_person_limit=2)
    resident = make_user()
    give_points(resident, 1000)
    first = place(resident, product, key="a", quantity=2)
    with pytest.raises(ServiceError) as exc:
        place(resident, product, key="b")
    assert exc.value.code == "over_limit" and "每人限兑2件" in exc.value.message
    services.order_cancel(user=resident, order_id=first.pk)
    assert place(resident, product, key="c", quantity=2).quantity == 2


def test_sale_window_and_review_status_are_enforced(shop):
    resident = make_user()
    give_points(resident, 1000)
    now = timezone.now()
    early = make_product(shop.merchant, sale_starts=now + timedelta(days=1))
    late = make_product(shop.merchant, sale_ends=now - timedelta(minutes=1))
    pending = make_product(shop.merchant, status="pending")
    for product, code in ((early, "not_on_sale"), (late, "sale_ended"),
                          (pending, "product_unavailable")):
        with pytest.raises(ServiceError) as exc:
            place(resident, product)
        assert exc.value.code == code
    assert balance(resident) == 1000 and Order.objects.count() == 0


def test_fulfilment_rules(shop):
    pickup_only = make_product(shop.merchant, delivery=False)
    resident = make_user()
    give_points(resident, 1000)
    with pytest.raises(ServiceError) as exc:
        place(resident, pickup_only, fulfilment="delivery", recipient="张三", phone="1",
              address="x")
    assert exc.value.message == "该商品不支持配送"
    both = make_product(shop.merchant)
    with pytest.raises(ServiceError) as exc:
        place(resident, both, fulfilment="delivery", recipient="张三", phone="13800000000")
    assert exc.value.code == "address_required" and exc.value.field == "address"
    order = place(resident, both, fulfilment="delivery", recipient="张三",
                  phone="13800000000", address="荷塘镇上塘村3组")
    assert order.address == "荷塘镇上塘村3组"


def test_missing_idempotency_key_is_refused(shop):
    product = make_product(shop.merchant)
    with pytest.raises(ServiceError) as exc:
        place(make_user(), product, key="  ")
    assert exc.value.code == "idempotency_key_required"


def test_cash_only_product_needs_no_points(shop):
    product = make_product(shop.merchant, price_points=0, price_cash=2500)
    order = place(make_user(), product)
    assert order.points_entry is None and order.cash_total == 2500


def test_cancel_restores_stock_and_exactly_the_lots_spent(shop):
    product = make_product(shop.merchant, price_points=150)
    resident = make_user()
    give_points(resident, 100)
    give_points(resident, 100)
    lots_before = list(PointsLot.objects.filter(account__user=resident)
                       .order_by("pk").values_list("remaining", flat=True))
    order = place(resident, product)
    assert balance(resident) == 50
    cancelled = services.order_cancel(user=resident, order_id=order.pk)
    assert cancelled.status == OrderStatus.CANCELLED
    assert balance(resident) == 200
    assert list(PointsLot.objects.filter(account__user=resident).order_by("pk")
                .values_list("remaining", flat=True)) == lots_before
    assert Product.objects.get(pk=product.pk).stock == 10
    assert [e.to_status for e in cancelled.events.all()] == ["reserved", "cancelled"]
    with pytest.raises(ServiceError) as exc:
        services.order_cancel(user=resident, order_id=order.pk)
    assert exc.value.code == "not_cancellable"
    assert balance(resident) == 200


def test_resident_cannot_cancel_someone_elses_order(shop):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    order = place(resident, product)
    with pytest.raises(ServiceError) as exc:
        services.order_cancel(user=make_user(), order_id=order.pk)
    assert exc.value.status == 404
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RESERVED


def test_merchant_staff_verify_by_code_once(shop):
    product = make_product(shop.merchant, price_cash=800)
    resident = make_user()
    give_points(resident, 500)
    order = place(resident, product)
    done = services.order_verify(actor=shop.owner, code=order.pickup_code.lower())
    assert done.status == OrderStatus.COMPLETED and done.verified_by == shop.owner
    assert "线下收取8元" in done.events.last().note
    with pytest.raises(ServiceError) as exc:
        services.order_verify(actor=shop.owner, code=order.pickup_code)
    assert exc.value.code == "already_verified"
    with pytest.raises(ServiceError) as exc:
        services.order_cancel(user=resident, order_id=order.pk)
    assert exc.value.code == "not_cancellable"


def test_another_merchants_code_is_refused_like_a_code_that_does_not_exist(shop):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    order = place(resident, product)
    other = make_merchant(name="白水茶行")
    with pytest.raises(ServiceError) as exc:
        services.order_verify(actor=other.staff.get().user, code=order.pickup_code)
    assert exc.value.code == "invalid_code" and exc.value.status == 404
    with pytest.raises(ServiceError):
        services.order_verify(actor=make_user(), code=order.pickup_code)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RESERVED


def test_operator_can_verify_and_unknown_code_is_refused(shop):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    order = place(resident, product)
    with pytest.raises(ServiceError) as exc:
        services.order_verify(actor=shop.operator, code="ZZZZ2222")
    assert exc.value.code == "invalid_code"
    assert services.order_verify(actor=shop.operator, code=order.pickup_code).status == "completed"


def test_expired_code_is_refused_and_the_expiry_job_gives_everything_back(shop):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    order = place(resident, product)
    later = order.expires_at + timedelta(minutes=1)
    with pytest.raises(ServiceError) as exc:
        services.order_verify(actor=shop.owner, code=order.pickup_code, now=later)
    assert exc.value.code == "code_expired" and exc.value.message == "提货码已过期"
    assert services.orders_expire(now=order.expires_at - timedelta(minutes=1)) == 0
    assert services.orders_expire(now=later) == 1
    assert services.orders_expire(now=later) == 0
    assert balance(resident) == 500
    assert Product.objects.get(pk=product.pk).stock == 10
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.events.last().actor is None and "超时" in order.events.last().note
    with pytest.raises(ServiceError) as exc:
        services.order_verify(actor=shop.owner, code=order.pickup_code, now=later)
    assert exc.value.code == "order_cancelled"


def test_stock_adjustments_are_audited_and_never_below_zero(shop):
    product = make_product(shop.merchant, stock=3)
    adjustment = services.stock_adjust(actor=shop.owner, product_id=product.pk, delta=5,
                                       reason="新到一批")
    assert adjustment.stock_after == 8
    with pytest.raises(ServiceError) as exc:
        services.stock_adjust(actor=shop.operator, product_id=product.pk, delta=-9,
                              reason="损耗")
    assert exc.value.code == "stock_negative" and "不能小于0" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.stock_adjust(actor=shop.operator, product_id=product.pk, delta=-1, reason="")
    assert exc.value.code == "reason_required"
    other = make_merchant(name="白水茶行")
    with pytest.raises(ServiceError) as exc:
        services.stock_adjust(actor=other.staff.get().user, product_id=product.pk, delta=1,
                              reason="x")
    assert exc.value.status == 403
    assert Product.objects.get(pk=product.pk).stock == 8
    assert StockAdjustment.objects.count() == 1


def test_product_review_and_creation(shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rongmei.mall.tests.test_pages_and_api import jpeg_with_exif

    product = services.product_create(actor=shop.owner, merchant_id=shop.merchant.pk,
                                      name="白水高山茶", stock=20, price_points=300,
                                      image=SimpleUploadedFile("tea.jpg", jpeg_with_exif()))
    assert product.status == "pending" and product.image.name.endswith(".jpg")
    from PIL import Image

    with Image.open(product.image.path) as stored:
        assert not stored.getexif()
    with pytest.raises(ServiceError) as exc:
        services.product_create(actor=shop.owner, merchant_id=shop.merchant.pk, name="x",
                                stock=1)
    assert exc.value.code == "price_required"
    with pytest.raises(ServiceError) as exc:
        services.product_review(actor=shop.owner, product_id=product.pk, decision="approve")
    assert exc.value.status == 403
    with pytest.raises(ServiceError) as exc:
        services.product_review(actor=shop.operator, product_id=product.pk, decision="reject")
    assert exc.value.code == "reason_required"
    approved = services.product_review(actor=shop.operator, product_id=product.pk,
                                       decision="approve")
    assert approved.status == "approved"


def test_a_suspended_shop_sells_nothing(shop):
    resident = make_user()
    give_points(resident, 1000)
    product = make_product(shop.merchant)
    shop.merchant.status = "suspended"
    shop.merchant.save(update_fields=["status"])
    with pytest.raises(ServiceError) as exc:
        place(resident, product)
    assert exc.value.code == "product_unavailable"
    assert balance(resident) == 1000 and Order.objects.count() == 0


def test_deleting_the_account_erases_delivery_details(shop):
    from rongmei.accounts.services import account_delete

    resident = make_user()
    give_points(resident, 1000)
    product = make_product(shop.merchant, delivery=True)
    order = place(resident, product, fulfilment="delivery", recipient="王五",
                  phone="13812345678", address="莲城镇解放路1号")
    account_delete(user=resident)
    order.refresh_from_db()
    assert (order.recipient, order.phone, order.address) == ("", "", "")
    assert order.status == "reserved"  # the order itself stays for the books
