"""A mall merchants can run: their orders to ship, to pick up and done; the buyer's delivery
details masked until an order is opened (each opening logged); shipping with a tracking
note; cancelling with a reason and an exact refund — by the shop or by an operator; and no
export or shop screen that carries a live pickup code."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from rongmei.accounts.models import PersonalDataAccess
from rongmei.accounts.services import api_token_issue
from rongmei.mall import services
from rongmei.mall.models import Order, OrderEvent, Product
from rongmei.points.models import PointsLot
from rongmei.tests_support import make_clerk, make_merchant, make_user

from .conftest import balance, give_points, make_product

pytestmark = pytest.mark.django_db

ADDRESS = "莲城镇解放路88号3栋502室"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def orders(shop):
    """A delivery order and a pickup order for the shop, and one for a neighbouring shop."""
    product = make_product(shop.merchant, price_points=100, price_cash=1500, stock=10,
                           per_person_limit=5)
    buyer = make_user(phone="13812345678")
    give_points(buyer, 1000)
    delivery = services.order_place(user=buyer, product_id=product.pk, quantity=2,
                                    fulfilment="delivery", key="d1", recipient="张小莲",
                                    phone="13812345678", address=ADDRESS)
    pickup = services.order_place(user=buyer, product_id=product.pk, quantity=1,
                                  fulfilment="pickup", key="p1")
    other_shop = make_merchant(name="白水茶行")
    other = services.order_place(user=buyer, key="o1", quantity=1, fulfilment="delivery",
                                 product_id=make_product(other_shop, name="白水茶").pk,
                                 recipient="张小莲", phone="13812345678", address=ADDRESS)
    return buyer, product, delivery, pickup, other


def test_the_shop_sees_its_orders_by_what_to_do_with_details_masked(client, shop, orders):
    buyer, _product, delivery, pickup, other = orders
    clerk = make_clerk(shop.merchant)
    client.force_login(clerk)  # clerks run orders too
    to_ship = text(client.get("/mall/shop/orders/?tab=ship"))
    assert f"订单 {delivery.pk}：" in to_ship and f"订单 {pickup.pk}：" not in to_ship
    assert f"订单 {other.pk}：" not in to_ship  # another shop's order
    assert "张*莲 138****5678 莲城镇解放路****" in to_ship
    assert "13812345678" not in to_ship and ADDRESS not in to_ship
    assert delivery.pickup_code not in to_ship
    to_pick_up = text(client.get("/mall/shop/orders/?tab=pickup"))
    assert f"订单 {pickup.pk}：" in to_pick_up and pickup.pickup_code not in to_pick_up
    assert not PersonalDataAccess.objects.exists()

    # Opening the order shows the details and leaves a record, each time.
    opened = client.post(f"/mall/shop/orders/{delivery.pk}/")
    page = text(opened)
    assert "张小莲" in page and "13812345678" in page and ADDRESS in page
    assert "no-cache" in opened["Cache-Control"] or "max-age=0" in opened["Cache-Control"]
    client.post(f"/mall/shop/orders/{delivery.pk}/")
    logged = PersonalDataAccess.objects.filter(viewer=clerk, subject=buyer)
    assert logged.count() == 2 and logged.first().what == f"商城订单{delivery.pk}收货信息"
    # Another shop's order cannot be opened: it does not exist as far as this shop knows.
    assert client.post(f"/mall/shop/orders/{other.pk}/", follow=True).status_code == 200
    assert PersonalDataAccess.objects.count() == 2

    # A resident who is nobody's staff has no order list.
    client.force_login(make_user())
    assert client.get("/mall/shop/orders/").status_code == 403


def test_the_shop_ships_with_a_tracking_note_the_buyer_reads(client, shop, orders):
    buyer, _product, delivery, pickup, _other = orders
    client.force_login(shop.owner)
    refused = client.post(f"/mall/shop/orders/{delivery.pk}/ship/", {"tracking_note": " "},
                          follow=True)
    assert "请填写物流公司和单号" in text(refused)
    assert "到店自提订单请在提货时核销提货码" in text(client.post(
        f"/mall/shop/orders/{pickup.pk}/ship/", {"tracking_note": "顺丰"}, follow=True))
    shipped = client.post(f"/mall/shop/orders/{delivery.pk}/ship/",
                          {"tracking_note": "中通快递 731234567890"}, follow=True)
    assert f"订单{delivery.pk}已发货" in text(shipped)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_note, delivery.verified_by) == (
        "shipped", "中通快递 731234567890", shop.owner)
    assert OrderEvent.objects.filter(order=delivery, to_status="shipped").exists()
    done = text(client.get("/mall/shop/orders/?tab=done"))
    assert "中通快递 731234567890" in done and shop.owner.masked_phone in done
    # Shipped cannot be shipped or cancelled again.
    again = client.post(f"/mall/shop/orders/{delivery.pk}/cancel/", {"reason": "缺货"},
                        follow=True)
    assert "不能再取消" in text(again)

    client.force_login(buyer)
    mine = text(client.get("/mall/orders/?status=shipped"))
    assert "已发货" in mine and "中通快递 731234567890" in mine


def test_the_shop_cancels_with_a_reason_and_everything_goes_back_exactly(client, shop, orders):
    buyer, product, delivery, _pickup, _other = orders
    lots_before = {lot.pk: lot.remaining for lot in PointsLot.objects.filter(
        account__user=buyer)}
    points_before, stock_before = balance(buyer), Product.objects.get(pk=product.pk).stock
    client.force_login(shop.owner)
    missing = client.post(f"/mall/shop/orders/{delivery.pk}/cancel/", {"reason": ""},
                          follow=True)
    assert "请填写取消原因" in text(missing)
    client.post(f"/mall/shop/orders/{delivery.pk}/cancel/", {"reason": "本周无法配送到上塘村"})
    delivery.refresh_from_db()
    assert delivery.status == "cancelled" and delivery.status_note == "商户取消：本周无法配送到上塘村"
    assert balance(buyer) == points_before + 200
    assert Product.objects.get(pk=product.pk).stock == stock_before + 2
    lots_after = {lot.pk: lot.remaining for lot in PointsLot.objects.filter(
        account__user=buyer)}
    assert sum(lots_after.values()) - sum(lots_before.values()) == 200
    client.force_login(buyer)
    assert "本周无法配送到上塘村" in text(client.get("/mall/orders/?status=cancelled"))


def test_an_operator_cancels_from_the_console_and_exports_carry_no_live_codes(
        client, shop, orders):
    buyer, product, delivery, pickup, _other = orders
    client.force_login(shop.operator)
    listing = text(client.get("/admin/mall_orders/?status=reserved"))
    assert "取消订单" in listing and pickup.pickup_code not in listing
    client.post("/admin/mall_orders/?status=reserved", {"order": pickup.pk, "reason": ""})
    assert Order.objects.get(pk=pickup.pk).status == "reserved"
    client.post("/admin/mall_orders/?status=reserved",
                {"order": pickup.pk, "reason": "商户歇业，代为取消"})
    pickup.refresh_from_db()
    assert pickup.status == "cancelled" and pickup.status_note == "运营取消：商户歇业，代为取消"
    assert Product.objects.get(pk=product.pk).stock == 10 - 2  # the delivery order's two

    export = client.get("/admin/mall_orders/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    code_column = "提货码（仅已失效）"
    assert by_id[delivery.pk][code_column] in ("", None)  # still live: never exported
    assert by_id[pickup.pk][code_column] == pickup.pickup_code  # void now
    assert delivery.pickup_code not in str(rows)


def test_the_shop_api_lists_opens_ships_and_cancels(client, shop, orders):
    buyer, _product, delivery, pickup, other = orders
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=shop.owner)}"}
    listed = client.get("/api/v1/mall/merchant/orders?tab=ship", **bearer).json()
    assert [o["id"] for o in listed] == [delivery.pk]
    assert listed[0]["delivery_masked"] == "张*莲 138****5678 莲城镇解放路****"
    assert "pickup_code" not in listed[0]
    opened = client.post(f"/api/v1/mall/merchant/orders/{delivery.pk}/delivery", **bearer)
    assert opened.json() == {"recipient": "张小莲", "phone": "13812345678", "address": ADDRESS}
    assert PersonalDataAccess.objects.filter(viewer=shop.owner, subject=buyer).count() == 1
    foreign = client.post(f"/api/v1/mall/merchant/orders/{other.pk}/delivery", **bearer)
    assert foreign.status_code == 404
    shipped = client.post(f"/api/v1/mall/merchant/orders/{delivery.pk}/ship",
                          {"tracking_note": "店员当日送达"}, content_type="application/json",
                          **bearer)
    assert shipped.json()["status"] == "shipped"
    cancelled = client.post(f"/api/v1/mall/merchant/orders/{pickup.pk}/cancel",
                            {"reason": "商品临期"}, content_type="application/json", **bearer)
    assert cancelled.json()["status_note"] == "商户取消：商品临期"
    nobody = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=make_user())}"}
    assert client.get("/api/v1/mall/merchant/orders", **nobody).status_code == 403


def test_pickup_code_guesses_are_rate_limited_per_person(client, shop, orders):
    import time_machine

    _buyer, _product, _delivery, pickup, _other = orders
    client.force_login(shop.owner)
    with time_machine.travel(pickup.created_at, tick=False):  # one rate-limit window
        for n in range(services.VERIFY_FAILURES_ALLOWED):
            wrong = client.post("/mall/verify/", {"code": f"ZZZZZZ{n:02d}"})
            assert wrong.status_code == 404 and "提货码无效" in text(wrong)
        blocked = client.post("/mall/verify/", {"code": pickup.pickup_code})
    assert blocked.status_code == 429 and "错误次数过多" in text(blocked)
    assert Order.objects.get(pk=pickup.pk).status == "reserved"


def test_what_a_buyer_types_reaches_the_operators_export_as_text_never_a_formula(client, shop):
    """A recipient of ``=HYPERLINK(…)`` typed through the API would be a live formula in the
    operator's spreadsheet; the export writes every text cell as text."""
    import json

    product = make_product(shop.merchant, price_points=100, stock=5)
    buyer = make_user()
    give_points(buyer, 500)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=buyer)}"}
    hostile = {"recipient": '=HYPERLINK("http://evil.example/","点此")',
               "address": "=cmd|' /C calc'!A0 莲城镇1号"}
    placed = client.post("/api/v1/mall/orders", json.dumps({
        "product_id": product.pk, "quantity": 1, "fulfilment": "delivery",
        "idempotency_key": "formula-1", "phone": "13812345678", **hostile}),
        content_type="application/json", **bearer)
    assert placed.status_code == 200, placed.content
    client.force_login(shop.operator)
    export = client.get("/admin/mall_orders/?export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    typed = [cell for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert any(cell.value.startswith("=HYPERLINK(") for cell in typed)
    assert typed and all(cell.data_type == "s" for cell in typed)
