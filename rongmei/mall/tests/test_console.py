"""The 商城 console screens: product review, orders with Excel export, stock adjustments."""

from __future__ import annotations

import io

import pytest

from rongmei.mall import services
from rongmei.mall.models import Product, StockAdjustment

from .conftest import give_points, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(client, shop):
    client.force_login(shop.operator)
    return client


SCREENS = ("/admin/mall_products/", "/admin/mall_orders/", "/admin/mall_stock/")


def test_operators_and_administrators_see_the_menu_and_screens(client, make_user):
    import json

    for role in ("operator", "administrator"):
        client.force_login(make_user(role))
        home = client.get("/admin/").content.decode()  # the menu is JSON in the page
        assert json.dumps("商城") in home
        for url in SCREENS:
            assert url in home
            assert client.get(url).status_code == 200, (role, url)


def test_non_operators_are_kept_out(client, make_user):
    client.force_login(make_user("editor"))
    home = client.get("/admin/").content.decode()
    for url in SCREENS:
        assert url not in home
        assert client.get(url).status_code in (302, 403)


def test_operator_approves_and_rejects_products(console, shop):
    pending = make_product(shop.merchant, name="莲藕粉", status="pending")
    other = make_product(shop.merchant, name="来历不明", status="pending")
    listing = console.get("/admin/mall_products/").content.decode()
    assert "莲藕粉" in listing and "来历不明" in listing
    console.post("/admin/mall_products/", {"product": pending.pk, "decision": "approve"})
    assert Product.objects.get(pk=pending.pk).status == "approved"
    page = console.post("/admin/mall_products/", {"product": other.pk, "decision": "reject"},
                        follow=True).content.decode()
    assert "驳回时请填写原因" in page
    console.post("/admin/mall_products/", {"product": other.pk, "decision": "reject",
                                           "note": "缺少食品经营许可"})
    assert Product.objects.get(pk=other.pk).status == "rejected"


def test_orders_list_filters_and_exports_excel(console, shop, make_user):
    from openpyxl import load_workbook

    product = make_product(shop.merchant, name="荷塘莲子", price_cash=1500)
    resident = make_user()
    give_points(resident, 500)
    order = services.order_place(user=resident, product_id=product.pk, quantity=1,
                                 fulfilment="delivery", key="c1", recipient="张三",
                                 phone="13812345678", address="上塘村")
    assert "荷塘莲子" in console.get("/admin/mall_orders/?status=reserved").content.decode()
    assert "荷塘莲子" not in console.get("/admin/mall_orders/?status=completed").content.decode()
    response = console.get("/admin/mall_orders/?status=reserved&export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "订单号" and rows[1][0] == order.pk and rows[1][6] == 15
    assert "13812345678" not in str(rows[1])  # the phone is masked in exports


def test_stock_adjustment_through_the_console_is_audited(console, shop):
    product = make_product(shop.merchant, stock=2)
    console.post("/admin/mall_stock/", {"product": product.pk, "delta": "5", "reason": "补货"})
    assert Product.objects.get(pk=product.pk).stock == 7
    refused = console.post("/admin/mall_stock/", {"product": product.pk, "delta": "-8",
                                                  "reason": "损耗"})
    assert refused.status_code == 409 and "不能小于0" in refused.content.decode()
    page = console.get("/admin/mall_stock/").content.decode()
    assert "补货" in page
    assert StockAdjustment.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 7


def test_management_command_expires_overdue_orders(shop, make_user):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    services.order_place(user=resident, product_id=product.pk, quantity=1,
                         fulfilment="pickup", key="old",
                         now=timezone.now() - timedelta(hours=services.hold_hours() + 1))
    out = io.StringIO()
    call_command("mall_expire_orders", stdout=out)
    assert "取消 1 单" in out.getvalue()
    call_command("mall_expire_orders", stdout=out)
    assert "取消 0 单" in out.getvalue()
    assert Product.objects.get(pk=product.pk).stock == 10
