"""The resident's mall pages, the merchant's 核销 page, and the JSON API."""

from __future__ import annotations

import io
import json
import re

import pytest

from rongmei.mall.models import Order, OrderStatus, Product

from .conftest import balance, give_points, make_product

pytestmark = pytest.mark.django_db


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (30, 160, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (27.0, 15.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def form_key(html: str) -> str:
    return re.search(r'name="key" value="([^"]+)"', html).group(1)


def test_product_list_and_page_for_anonymous_visitors(client, shop):
    product = make_product(shop.merchant, name="白水高山茶", price_cash=1250)
    make_product(shop.merchant, name="待审核的商品", status="pending")
    listing = client.get("/mall/products/").content.decode()
    assert "白水高山茶" in listing and "100积分 + 12.50元" in listing
    assert "待审核的商品" not in listing
    page = client.get(f"/mall/products/{product.pk}/").content.decode()
    assert "登录后兑换" in page and "线下支付" in page
    assert client.get("/mall/products/999999/").status_code == 404


def test_mall_tab_page_is_not_swallowed_by_the_app():
    from django.urls import Resolver404, resolve

    match = resolve("/mall/")
    assert match.url_name != "products" and "wagtail" in match.func.__module__
    with pytest.raises(Resolver404):
        resolve("/mall/nothing-here/", urlconf="rongmei.mall.urls")


def test_resident_orders_sees_code_and_qr_and_cancels(client, shop, make_user):
    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    client.force_login(resident)
    page = client.get(f"/mall/products/{product.pk}/").content.decode()
    key = form_key(page)
    assert form_key(client.get(f"/mall/products/{product.pk}/").content.decode()) != key
    data = {"key": key, "quantity": "2", "fulfilment": "pickup"}
    response = client.post(f"/mall/products/{product.pk}/order/", data)
    assert response.status_code == 302 and response["Location"] == "/mall/orders/"
    again = client.post(f"/mall/products/{product.pk}/order/", data)
    assert again.status_code == 302
    assert Order.objects.count() == 1 and balance(resident) == 300
    order = Order.objects.get()
    orders = client.get("/mall/orders/").content.decode()
    assert order.pickup_code in orders and "<svg" in orders and "取消订单" in orders
    client.post(f"/mall/orders/{order.pk}/cancel/")
    assert Order.objects.get().status == OrderStatus.CANCELLED
    assert balance(resident) == 500 and Product.objects.get(pk=product.pk).stock == 10


def test_order_form_shows_chinese_errors_and_keeps_input(client, shop, make_user):
    product = make_product(shop.merchant, price_points=300)
    resident = make_user()
    give_points(resident, 100)
    client.force_login(resident)
    response = client.post(f"/mall/products/{product.pk}/order/",
                           {"key": "abc", "quantity": "-2", "fulfilment": "pickup"})
    assert response.status_code == 400
    assert "购买数量必须在1到99之间" in response.content.decode()
    response = client.post(f"/mall/products/{product.pk}/order/",
                           {"key": "abc", "quantity": "1", "fulfilment": "pickup"})
    assert response.status_code == 409 and "积分不足" in response.content.decode()
    assert 'value="abc"' in response.content.decode()
    assert Order.objects.count() == 0


def test_anonymous_order_post_goes_to_login(client, shop):
    product = make_product(shop.merchant)
    response = client.post(f"/mall/products/{product.pk}/order/", {"key": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_merchant_verifies_on_the_verify_page(client, shop, make_user):
    from rongmei.mall import services

    product = make_product(shop.merchant, price_cash=500)
    resident = make_user()
    give_points(resident, 500)
    order = services.order_place(user=resident, product_id=product.pk, quantity=1,
                                 fulfilment="pickup", key="v")
    client.force_login(make_user())
    assert client.get("/mall/verify/").status_code == 403
    client.force_login(shop.owner)
    assert "商城提货核销" in client.get("/mall/verify/").content.decode()
    done = client.post("/mall/verify/", {"code": order.pickup_code})
    assert done.status_code == 200 and "核销成功" in done.content.decode()
    assert "请线下收取 5 元" in done.content.decode()
    twice = client.post("/mall/verify/", {"code": order.pickup_code})
    assert twice.status_code == 409 and "已核销" in twice.content.decode()


def test_api_products_order_cancel_and_verify(client, shop, make_user):
    from rongmei.accounts.services import api_token_issue

    product = make_product(shop.merchant)
    resident = make_user()
    give_points(resident, 500)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=resident)}"}
    listing = client.get("/api/v1/mall/products").json()
    assert [p["id"] for p in listing] == [product.pk]

    def order(key, **extra):
        body = {"product_id": product.pk, "quantity": 1, "fulfilment": "pickup",
                "idempotency_key": key, **extra}
        return client.post("/api/v1/mall/orders", json.dumps(body),
                           content_type="application/json", **auth)

    assert client.post("/api/v1/mall/orders", json.dumps({"product_id": product.pk}),
                       content_type="application/json", **auth).status_code in (400, 422)
    first = order("api-1")
    assert first.status_code == 200
    assert order("api-1").json()["id"] == first.json()["id"]
    bad = order("api-2", quantity=-1)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_quantity"
    mine = client.get("/api/v1/mall/orders", **auth).json()
    assert len(mine) == 1 and mine[0]["status"] == "reserved"
    second = order("api-3").json()
    cancelled = client.post(f"/api/v1/mall/orders/{second['id']}/cancel", **auth)
    assert cancelled.json()["status"] == "cancelled"

    till = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=shop.owner)}"}
    verified = client.post("/api/v1/mall/verify", json.dumps({"code": first.json()["pickup_code"]}),
                           content_type="application/json", **till)
    assert verified.status_code == 200 and verified.json()["status"] == "completed"
    from rongmei.tests_support import make_merchant

    other = make_merchant(name="白水茶行")
    foreign = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=other.staff.get().user)}"}
    refused = client.post("/api/v1/mall/verify", json.dumps({"code": second["pickup_code"]}),
                          content_type="application/json", **foreign)
    # Another shop's code reads exactly like a code that does not exist.
    unknown = client.post("/api/v1/mall/verify", json.dumps({"code": "ZZZZZZZZ"}),
                          content_type="application/json", **foreign)
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json() == {
        "code": "invalid_code", "message": "提货码无效，请核对后重试", "field": None}
    assert balance(resident) == 400


def test_merchant_owner_lists_a_product_and_adjusts_stock_on_the_phone(client, shop, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    client.force_login(make_user())
    assert client.get("/mall/shop/").status_code == 403
    client.force_login(shop.owner)
    assert "发布新商品" in client.get("/mall/shop/").content.decode()
    bad = client.post("/mall/shop/", {"action": "create", "name": "莲子", "stock": "-1",
                                      "price_points": "100", "pickup": "1"})
    assert bad.status_code == 400 and "库存必须是不小于0的整数" in bad.content.decode()
    bad = client.post("/mall/shop/", {"action": "create", "name": "莲子", "stock": "5",
                                      "price_points": "0", "price_cash": "0", "pickup": "1"})
    assert "积分价和现金价至少填写一项" in bad.content.decode()
    bad = client.post("/mall/shop/", {"action": "create", "name": "莲子", "stock": "5",
                                      "price_points": "10", "pickup": "1",
                                      "sale_starts": "2030-01-02T09:00",
                                      "sale_ends": "2030-01-01T09:00"})
    assert "截止时间必须晚于开售时间" in bad.content.decode()
    assert Product.objects.count() == 0
    done = client.post("/mall/shop/", {"sale_ends": "2030-01-01T09:00",
        "action": "create", "name": "荷塘莲子", "stock": "5", "price_points": "100",
        "price_cash": "12.5", "per_person_limit": "2", "pickup": "1",
        "image": SimpleUploadedFile("a.jpg", jpeg_with_exif(), content_type="image/jpeg")})
    assert done.status_code == 302
    product = Product.objects.get()
    assert (product.status, product.price_cash, product.merchant) == ("pending", 1250,
                                                                      shop.merchant)
    assert f"{timezone.localtime(product.sale_ends):%Y-%m-%d %H:%M}" == "2030-01-01 09:00"
    client.post("/mall/shop/", {"action": "stock", "product": product.pk, "delta": "3",
                                "reason": "补货"})
    assert Product.objects.get().stock == 8
    refused = client.post("/mall/shop/", {"action": "stock", "product": product.pk,
                                          "delta": "-9", "reason": "损耗"})
    assert refused.status_code == 409 and "不能小于0" in refused.content.decode()
