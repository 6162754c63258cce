"""Mall API: products, placing an order (idempotency key required), my orders, cancelling,
the merchant's 核销 by pickup code, and the shop's order list (ship, cancel, delivery
details opened one order at a time and logged)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from rongmei.core.api import AUTH, NONSPACE, ErrorOut, Id, JsonId, JsonInt, documented
from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.merchants.access import merchants_of

from . import selectors, services

router = Router(tags=["商城"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


class ProductOut(Schema):
    id: int
    name: str
    description: str
    image: str | None
    merchant_id: int
    merchant_name: str
    stock: int
    price_points: int
    price_cash: int  # fen, paid offline at pickup
    per_person_limit: int
    sale_starts: datetime | None
    sale_ends: datetime | None
    pickup: bool
    delivery: bool


class OrderIn(Schema):
    product_id: JsonId
    quantity: JsonInt = documented(minimum=1, maximum=services.MAX_QUANTITY)
    # delivery also needs recipient, phone and address
    fulfilment: str = documented(enum=["pickup", "delivery"])
    idempotency_key: str = documented(maxLength=64, pattern=NONSPACE,
                                      description="客户端生成的防重复提交标识，同一标识只下一单")
    recipient: str = ""
    phone: str = ""
    address: str = ""


class OrderOut(Schema):
    id: int
    product_id: int
    product_name: str
    quantity: int
    points_total: int
    cash_total: int  # fen
    fulfilment: str
    status: str
    status_note: str = Field("", description="发货的物流信息，或取消的原因")
    pickup_code: str
    expires_at: datetime
    created_at: datetime


class MerchantOrderOut(Schema):
    """An order as the shop sees it: the buyer's details masked, never the pickup code."""

    id: int
    merchant_id: int
    product_name: str
    quantity: int
    points_total: int
    cash_total: int  # fen, collected offline
    fulfilment: str
    status: str
    status_label: str
    status_note: str
    delivery_masked: str = Field(description="脱敏的收货人、电话、地址；完整信息需调用 delivery")
    expires_at: datetime
    created_at: datetime


class OrderDeliveryOut(Schema):
    recipient: str
    phone: str
    address: str


class ShipIn(Schema):
    tracking_note: str


class CancelIn(Schema):
    reason: str


class VerifyIn(Schema):
    code: str = documented(pattern=r"[0-9A-Za-z]", description="提货码（扫码或手输）")
    merchant_id: JsonId | None = None


def _product(p) -> dict:
    return {"id": p.pk, "name": p.name, "description": p.description,
            "image": p.image.url if p.image else None, "merchant_id": p.merchant_id,
            "merchant_name": p.merchant.name, "stock": p.stock, "price_points": p.price_points,
            "price_cash": p.price_cash, "per_person_limit": p.per_person_limit,
            "sale_starts": p.sale_starts, "sale_ends": p.sale_ends, "pickup": p.pickup,
            "delivery": p.delivery}


def _order(o) -> dict:
    return {"id": o.pk, "product_id": o.product_id, "product_name": o.product.name,
            "quantity": o.quantity, "points_total": o.points_total, "cash_total": o.cash_total,
            "fulfilment": o.fulfilment, "status": o.status, "status_note": o.status_note,
            "pickup_code": o.pickup_code,
            "expires_at": o.expires_at, "created_at": o.created_at}


@router.get("/products", response=list[ProductOut], summary="在售商品")
def products(request):
    return [_product(p) for p in selectors.products_on_sale()[:200]]


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="商品详情")
def product(request, product_id: Id):
    found = selectors.product_detail(pk=product_id)
    if found is None:
        raise NotFoundError("商品不存在或已下架")
    return _product(found)


@router.post("/orders", response={200: OrderOut, **ERRORS}, auth=AUTH,
             summary="下单兑换（同一 idempotency_key 重复提交只生成一个订单）")
def order_place(request, payload: OrderIn):
    order = services.order_place(
        user=request.auth, product_id=payload.product_id, quantity=payload.quantity,
        fulfilment=payload.fulfilment, key=payload.idempotency_key,
        recipient=payload.recipient, phone=payload.phone, address=payload.address)
    return _order(order)


@router.get("/orders", response=list[OrderOut], auth=AUTH, summary="我的订单")
def my_orders(request, status: str | None = None):
    return [_order(o) for o in selectors.orders_of(user=request.auth, status=status)[:200]]


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS}, auth=AUTH,
             summary="取消订单（提货前），积分和库存退回")
def order_cancel(request, order_id: Id):
    return _order(services.order_cancel(user=request.auth, order_id=order_id))


@router.post("/verify", response={200: OrderOut, **ERRORS}, auth=AUTH,
             summary="商户或运营核销提货码")
def verify(request, payload: VerifyIn):
    return _order(services.order_verify(actor=request.auth, code=payload.code,
                                        merchant_id=payload.merchant_id))


# --- the shop's orders ------------------------------------------------------------------------

def _merchant_order(o) -> dict:
    return {"id": o.pk, "merchant_id": o.product.merchant_id, "product_name": o.product.name,
            "quantity": o.quantity, "points_total": o.points_total, "cash_total": o.cash_total,
            "fulfilment": o.fulfilment, "status": o.status, "status_label": o.status_label,
            "status_note": o.status_note, "delivery_masked": o.masked_delivery,
            "expires_at": o.expires_at, "created_at": o.created_at}


@router.get("/merchant/orders", response={200: list[MerchantOrderOut], **ERRORS}, auth=AUTH,
            summary="商户订单：ship 待发货 / pickup 待自提 / done 已处理（店主和店员）")
def merchant_orders(request, tab: Literal["ship", "pickup", "done"] = "ship"):
    merchant_ids = list(merchants_of(request.auth).values_list("pk", flat=True))
    if not merchant_ids:
        raise PermissionDeniedError("您不是商户工作人员")
    orders = selectors.orders_for_merchants(merchant_ids=merchant_ids, tab=tab)[:200]
    return [_merchant_order(o) for o in orders]


@router.post("/merchant/orders/{order_id}/delivery", response={200: OrderDeliveryOut, **ERRORS},
             auth=AUTH, summary="查看配送订单的完整收货信息（每次查看都会记录）")
def merchant_order_delivery(request, order_id: int):
    order = services.order_open_delivery(actor=request.auth, order_id=order_id)
    return {"recipient": order.recipient, "phone": order.phone, "address": order.address}


@router.post("/merchant/orders/{order_id}/ship", response={200: MerchantOrderOut, **ERRORS},
             auth=AUTH, summary="发货（填写物流信息）")
def merchant_order_ship(request, order_id: int, payload: ShipIn):
    return _merchant_order(services.order_ship(actor=request.auth, order_id=order_id,
                                               tracking_note=payload.tracking_note))


@router.post("/merchant/orders/{order_id}/cancel", response={200: MerchantOrderOut, **ERRORS},
             auth=AUTH, summary="商户或运营取消订单（须填写原因），积分和库存退回")
def merchant_order_cancel(request, order_id: int, payload: CancelIn):
    return _merchant_order(services.order_cancel_by_staff(actor=request.auth, order_id=order_id,
                                                          reason=payload.reason))
