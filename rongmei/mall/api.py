"""Mall API: products, placing an order (idempotency key required), my orders, cancelling,
and the merchant's 核销 by pickup code."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from rongmei.core.api import AUTH, ErrorOut
from rongmei.core.errors import NotFoundError

from . import selectors, services

router = Router(tags=["商城"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut, 503: ErrorOut}


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
    product_id: int
    quantity: int
    fulfilment: str  # pickup | delivery
    idempotency_key: str
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
    pickup_code: str
    expires_at: datetime
    created_at: datetime


class VerifyIn(Schema):
    code: str
    merchant_id: int | None = None


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
            "fulfilment": o.fulfilment, "status": o.status, "pickup_code": o.pickup_code,
            "expires_at": o.expires_at, "created_at": o.created_at}


@router.get("/products", response=list[ProductOut], summary="在售商品")
def products(request):
    return [_product(p) for p in selectors.products_on_sale()[:200]]


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="商品详情")
def product(request, product_id: int):
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
def order_cancel(request, order_id: int):
    return _order(services.order_cancel(user=request.auth, order_id=order_id))


@router.post("/verify", response={200: OrderOut, **ERRORS}, auth=AUTH,
             summary="商户或运营核销提货码")
def verify(request, payload: VerifyIn):
    return _order(services.order_verify(actor=request.auth, code=payload.code,
                                        merchant_id=payload.merchant_id))
