"""Write paths for the mall: placing, verifying (核销), cancelling and expiring orders;
product review, creation and stock adjustments.

Lock order, the same in every path so two transactions never wait on each other in a
circle: the buyer's user row → the buyer's points account → the product row. Stock moves
only by conditional updates (``stock >= q``) and F-expressions, so the CHECK constraint
``stock >= 0`` is a backstop that never fires. Order status moves only by conditional
updates from ``reserved``, so a race has exactly one winner.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.codes import short_code
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.public_text import gate_texts
from rongmei.core.roles import OPERATOR
from rongmei.core.text import check_name, typed_text
from rongmei.core.uploads import clean_image
from rongmei.merchants.access import access_merchant, merchants_of, works_for_a_merchant
from rongmei.merchants.models import MerchantStatus
from rongmei.points.services import points_refund, points_spend
from rongmei.units.access import has_role

from .models import (
    Fulfilment,
    Order,
    OrderEvent,
    OrderStatus,
    Product,
    ProductStatus,
    StockAdjustment,
)

CODE_LENGTH = 8
MAX_QUANTITY = 99


def hold_hours() -> int:
    """How long a reserved order waits for pickup before it is cancelled (MALL_ORDER_HOLD_HOURS)."""
    return settings.MALL_ORDER_HOLD_HOURS


def new_pickup_code() -> str:
    return short_code(CODE_LENGTH)


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:CODE_LENGTH]


def _event(order: Order, *, from_status: str, to_status: str, actor, note: str,
           now: datetime) -> None:
    OrderEvent.objects.create(order=order, from_status=from_status, to_status=to_status,
                              actor=actor, note=note[:120], created_at=now)


def _int(value, *, code: str, message: str, field: str) -> int:
    if isinstance(value, bool):
        raise ServiceError(code, message, field=field)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(code, message, field=field) from None


# --- placing an order ------------------------------------------------------------------------

def order_place(*, user, product_id: int, quantity, fulfilment: str, key: str,
                recipient: str = "", phone: str = "", address: str = "",
                now: datetime | None = None) -> Order:
    """Reserve ``quantity`` of a product for ``user``: stock and points in one transaction.

    Idempotent by (user, ``key``): a double-submitted form returns the first order and
    changes nothing. The cash part (if any) is paid offline at pickup or delivery.
    """
    now = now or timezone.now()
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ServiceError("idempotency_key_required",
                           "请求缺少有效的防重复提交标识，请刷新页面后重试", field="key")
    quantity = _int(quantity, code="invalid_quantity", message="购买数量必须是正整数",
                    field="quantity")
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise ServiceError("invalid_quantity", f"购买数量必须在1到{MAX_QUANTITY}之间",
                           field="quantity")
    if (found := Order.objects.filter(user=user, idempotency_key=key).first()) is not None:
        return found
    product = Product.objects.select_related("merchant").filter(pk=product_id).first()
    if (product is None or product.status != ProductStatus.APPROVED
            or product.merchant.status != MerchantStatus.APPROVED):  # a suspended shop sells nothing
        raise NotFoundError("商品不存在或已下架", code="product_unavailable")
    _check_window(product, now)
    recipient, phone, address = ((recipient or "").strip(), (phone or "").strip(),
                                 (address or "").strip())
    if fulfilment == Fulfilment.PICKUP:
        if not product.pickup:
            raise ServiceError("fulfilment_unavailable", "该商品不支持到店自提", field="fulfilment")
        recipient = phone = address = ""
    elif fulfilment == Fulfilment.DELIVERY:
        if not product.delivery:
            raise ServiceError("fulfilment_unavailable", "该商品不支持配送", field="fulfilment")
        if not recipient:
            raise ServiceError("address_required", "请填写收货人", field="recipient")
        if not phone:
            raise ServiceError("address_required", "请填写联系电话", field="phone")
        if not address:
            raise ServiceError("address_required", "请填写收货地址", field="address")
    else:
        raise ServiceError("invalid_fulfilment", "请选择提货方式", field="fulfilment")
    if product.stock < quantity:  # a cheap early answer; the conditional update decides
        raise _sold_out(product.stock)

    with transaction.atomic():
        # Serializes one person's orders: the per-person limit and the key are exact.
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
        if (found := Order.objects.filter(user=user, idempotency_key=key).first()) is not None:
            return found
        held = (Order.objects.filter(user=user, product=product)
                .exclude(status=OrderStatus.CANCELLED)
                .aggregate(n=Sum("quantity"))["n"] or 0)
        if held + quantity > product.per_person_limit:
            raise ServiceError(
                "over_limit", f"每人限兑{product.per_person_limit}件，您已兑换{held}件",
                field="quantity", status=409)
        entry = None
        points_total = product.price_points * quantity
        if points_total:
            entry = points_spend(user=user, amount=points_total, action="mall",
                                 reason=f"商城兑换：{product.name}×{quantity}",
                                 source=f"product:{product.pk}",
                                 key=f"mall-order:{user.pk}:{key}", now=now)
        taken = (Product.objects.filter(pk=product.pk, status=ProductStatus.APPROVED,
                                        stock__gte=quantity)
                 .update(stock=F("stock") - quantity))
        if not taken:
            left = Product.objects.filter(pk=product.pk).values_list("stock", flat=True).first()
            raise _sold_out(left or 0)
        order = _create_order(user=user, product=product, quantity=quantity,
                              points_total=points_total, fulfilment=fulfilment, key=key,
                              recipient=recipient, phone=phone, address=address, entry=entry,
                              now=now)
        _event(order, from_status="", to_status=OrderStatus.RESERVED, actor=user,
               note="下单并锁定库存和积分", now=now)
        return order


def _check_window(product: Product, now: datetime) -> None:
    if product.sale_starts and product.sale_starts > now:
        raise ServiceError("not_on_sale",
                           f"商品将于{timezone.localtime(product.sale_starts):%m月%d日 %H:%M}开售")
    if product.sale_ends and product.sale_ends <= now:
        raise ServiceError("sale_ended", "商品已停止兑换")


def _sold_out(left: int) -> ServiceError:
    if left <= 0:
        return ServiceError("sold_out", "商品已兑完", field="quantity", status=409)
    return ServiceError("sold_out", f"库存不足，仅剩{left}件", field="quantity", status=409)


def _create_order(*, user, product, quantity, points_total, fulfilment, key, recipient, phone,
                  address, entry, now) -> Order:
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a code collision retries, nothing else
                return Order.objects.create(
                    user=user, product=product, quantity=quantity, points_total=points_total,
                    cash_total=product.price_cash * quantity, fulfilment=fulfilment,
                    recipient=recipient[:20], phone=phone[:20], address=address[:120],
                    pickup_code=new_pickup_code(), expires_at=now + timedelta(hours=hold_hours()),
                    idempotency_key=key, points_entry=entry, created_at=now)
        except IntegrityError:
            continue
    raise ServiceError("busy", "系统繁忙，请稍后重试", status=503)


# --- verifying (核销) ------------------------------------------------------------------------

VERIFY_FAILURES_ALLOWED = 10
VERIFY_FAILURE_WINDOW = 600


def _invalid_code() -> ServiceError:
    return NotFoundError("提货码无效，请核对后重试", code="invalid_code")


def order_verify(*, actor, code: str, merchant_id: int | None = None,
                 now: datetime | None = None) -> Order:
    """Hand over the goods: the staff of the product's merchant (or an operator) enters the
    pickup code; the order moves reserved → completed exactly once.

    A code that exists but belongs to another shop gets the same answer as a code that does
    not exist, so trying codes tells a stranger nothing; and each person gets
    VERIFY_FAILURES_ALLOWED wrong codes per VERIFY_FAILURE_WINDOW seconds."""
    now = now or timezone.now()
    _require_shop_staff(actor)
    code = normalize_code(code)
    if not code:
        raise ServiceError("code_required", "请输入或扫描提货码", field="code")
    # Counted as a failure before the lookup (one atomic increment), and given back when the
    # code is found: parallel guesses cannot all pass a check made before any was counted.
    ratelimit.hit("mall-verify-fail", str(actor.pk), limit=VERIFY_FAILURES_ALLOWED,
                  window=VERIFY_FAILURE_WINDOW, message="提货码错误次数过多，请10分钟后再试")
    orders = Order.objects.select_related("product__merchant").filter(pickup_code=code)
    if not has_role(actor, OPERATOR):
        # Only orders of shops this person works for exist, as far as they can tell.
        orders = orders.filter(product__merchant__in=merchants_of(actor).values("pk"))
        if merchant_id is not None:
            orders = orders.filter(product__merchant_id=merchant_id)
    order = orders.first()
    if order is None:
        raise _invalid_code()
    ratelimit.give_back("mall-verify-fail", str(actor.pk), window=VERIFY_FAILURE_WINDOW)
    if order.status == OrderStatus.COMPLETED:
        raise ServiceError("already_verified", "该提货码已核销，不能重复使用", status=409)
    if order.status == OrderStatus.CANCELLED:
        raise ServiceError("order_cancelled", "该订单已取消，提货码已失效", status=409)
    if order.expires_at <= now:
        raise ServiceError("code_expired", "提货码已过期", status=409)
    with transaction.atomic():
        moved = (Order.objects.filter(pk=order.pk, status=OrderStatus.RESERVED,
                                      expires_at__gt=now)
                 .update(status=OrderStatus.COMPLETED, verified_by=actor, updated_at=now))
        if not moved:
            raise ServiceError("already_verified", "该提货码已核销，不能重复使用", status=409)
        note = "核销提货" + (f"，线下收取{order.cash_yuan}元" if order.cash_total else "")
        _event(order, from_status=OrderStatus.RESERVED, to_status=OrderStatus.COMPLETED,
               actor=actor, note=note, now=now)
    order.refresh_from_db()
    return order


# --- cancelling and expiry ------------------------------------------------------------------

def _cancel(order: Order, *, actor, note: str, now: datetime) -> bool:
    """reserved → cancelled; points back into exactly the lots spent, then the stock back.
    Returns False when someone else moved the order first."""
    with transaction.atomic():
        moved = (Order.objects.filter(pk=order.pk, status=OrderStatus.RESERVED)
                 .update(status=OrderStatus.CANCELLED, status_note=note[:120], updated_at=now))
        if not moved:
            return False
        if order.points_entry_id:
            points_refund(spend=order.points_entry, reason=f"商城订单取消退回：{note}", now=now)
        Product.objects.filter(pk=order.product_id).update(stock=F("stock") + order.quantity)
        _event(order, from_status=OrderStatus.RESERVED, to_status=OrderStatus.CANCELLED,
               actor=actor, note=note, now=now)
    return True


def order_cancel(*, user, order_id: int, now: datetime | None = None) -> Order:
    """The resident cancels their own order before pickup."""
    now = now or timezone.now()
    order = (Order.objects.select_related("points_entry", "product")
             .filter(pk=order_id, user_id=user.pk).first())
    if order is None:
        raise NotFoundError("订单不存在")
    if order.status != OrderStatus.RESERVED or not _cancel(order, actor=user, note="用户取消",
                                                          now=now):
        raise ServiceError("not_cancellable", "订单已完成或已取消，不能再取消", status=409)
    order.refresh_from_db()
    return order


def orders_expire(*, now: datetime | None = None) -> int:
    """Cancel every reserved order past its pickup deadline (a periodic job); returns how
    many. Running it again changes nothing."""
    now = now or timezone.now()
    cancelled = 0
    due = (Order.objects.select_related("points_entry")
           .filter(status=OrderStatus.RESERVED, expires_at__lte=now).order_by("pk"))
    for order in due.iterator(chunk_size=200):
        cancelled += _cancel(order, actor=None, note="超时未提货，自动取消", now=now)
    return cancelled


# --- the merchant's orders ------------------------------------------------------------------

def _require_shop_staff(actor) -> None:
    """Only operators and people who work for a shop handle orders; asked before anything
    is looked up, so a stranger learns nothing about codes or orders."""
    if not has_role(actor, OPERATOR) and not works_for_a_merchant(actor):
        raise PermissionDeniedError("只有商户工作人员可以处理订单和提货码",
                                    code="not_merchant_staff")


def _order_for_staff(actor, order_id) -> Order:
    """The order, if ``actor`` works for its product's merchant (or is an operator). To
    staff of another shop an order of this one does not exist."""
    _require_shop_staff(actor)
    order = (Order.objects.select_related("product__merchant", "points_entry", "user")
             .filter(pk=order_id).first())
    if (order is not None and not has_role(actor, OPERATOR)
            and not merchants_of(actor).filter(pk=order.product.merchant_id).exists()):
        order = None
    if order is None:
        raise NotFoundError("订单不存在")
    return order


def order_open_delivery(*, actor, order_id: int) -> Order:
    """Show the buyer's delivery details (name, phone, address) to merchant staff or an
    operator. Every opening is written to ``accounts.PersonalDataAccess``."""
    from rongmei.accounts.models import PersonalDataAccess

    order = _order_for_staff(actor, order_id)
    if order.fulfilment != Fulfilment.DELIVERY:
        raise ServiceError("not_delivery", "到店自提订单没有收货信息")
    PersonalDataAccess.objects.create(viewer=actor, subject=order.user,
                                      what=f"商城订单{order.pk}收货信息",
                                      reason="商户发货" if not has_role(actor, OPERATOR)
                                      else "运营处理订单")
    return order


def order_ship(*, actor, order_id: int, tracking_note: str,
               now: datetime | None = None) -> Order:
    """A delivery order goes out: reserved → shipped, with the carrier and tracking number
    (or how it is being delivered) for the buyer to read."""
    now = now or timezone.now()
    order = _order_for_staff(actor, order_id)
    if order.fulfilment != Fulfilment.DELIVERY:
        raise ServiceError("not_delivery", "到店自提订单请在提货时核销提货码")
    note = " ".join((tracking_note or "").split())
    if not note:
        raise ServiceError("tracking_required", "请填写物流公司和单号，或送货方式",
                           field="tracking_note")
    if len(note) > 120:
        raise ServiceError("too_long", "最多120个字", field="tracking_note")
    with transaction.atomic():
        moved = (Order.objects.filter(pk=order.pk, status=OrderStatus.RESERVED)
                 .update(status=OrderStatus.SHIPPED, status_note=note, verified_by=actor,
                         updated_at=now))
        if not moved:
            raise ServiceError("not_shippable", "订单已发货、已完成或已取消", status=409)
        _event(order, from_status=OrderStatus.RESERVED, to_status=OrderStatus.SHIPPED,
               actor=actor, note=f"发货：{note}", now=now)
    order.refresh_from_db()
    return order


def order_cancel_by_staff(*, actor, order_id: int, reason: str,
                          now: datetime | None = None) -> Order:
    """Merchant staff (for their shop's orders) or an operator cancels an order for the
    buyer, with a reason the buyer reads; the points go back into exactly the lots they
    came from and the stock back to the product."""
    now = now or timezone.now()
    order = _order_for_staff(actor, order_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("reason_required", "请填写取消原因", field="reason")
    if len(reason) > 100:
        raise ServiceError("too_long", "最多100个字", field="reason")
    works_there = merchants_of(actor).filter(pk=order.product.merchant_id).exists()
    who = "商户" if works_there else "运营"
    if order.status != OrderStatus.RESERVED or not _cancel(
            order, actor=actor, note=f"{who}取消：{reason}", now=now):
        raise ServiceError("not_cancellable", "订单已完成、已发货或已取消，不能再取消",
                           status=409)
    order.refresh_from_db()
    return order


# --- products --------------------------------------------------------------------------------

def product_create(*, actor, merchant_id: int, name: str, stock: int, price_points: int = 0,
                   price_cash: int = 0, description: str = "", image=None,
                   per_person_limit: int = 1, sale_starts=None, sale_ends=None,
                   pickup: bool = True, delivery: bool = False) -> Product:
    """A merchant owner (or an operator) lists a product; it waits for an operator's review."""
    from django.core.exceptions import ValidationError

    from rongmei.core.errors import validation_error_from_django

    if not has_role(actor, OPERATOR):
        access_merchant(actor, merchant_id, owner=True)
    product = Product(merchant_id=merchant_id,
                      name=typed_text(check_name(name, field="name", label="商品名称")),
                      description=typed_text(description), stock=stock,
                      price_points=price_points, price_cash=price_cash,
                      per_person_limit=per_person_limit, sale_starts=sale_starts,
                      sale_ends=sale_ends, pickup=pickup, delivery=delivery,
                      status=ProductStatus.PENDING)
    if not product.name:
        raise ServiceError("name_required", "请填写商品名称", field="name")
    gate_texts(name=product.name, description=product.description)
    if not isinstance(stock, int) or stock < 0:
        raise ServiceError("invalid_stock", "库存必须是不小于0的整数", field="stock")
    if not isinstance(per_person_limit, int) or per_person_limit < 1:
        raise ServiceError("invalid_limit", "每人限兑至少1件", field="per_person_limit")
    if not price_points and not price_cash:
        raise ServiceError("price_required", "积分价和现金价至少填写一项", field="price_points")
    if not pickup and not delivery:
        raise ServiceError("fulfilment_required", "请至少选择一种提货方式", field="pickup")
    if sale_starts and sale_ends and sale_ends <= sale_starts:
        raise ServiceError("invalid_window", "截止时间必须晚于开售时间", field="sale_ends")
    if image is not None:
        cleaned = clean_image(image)
        product.image.save(cleaned.name, cleaned, save=False)
    try:
        product.full_clean(exclude=["image"])
    except ValidationError as exc:
        raise validation_error_from_django(exc) from None
    product.save()
    return product


def product_review(*, actor, product_id: int, decision: str, note: str = "") -> Product:
    """Operators approve (上架), reject or take offline (下架) a product."""
    from rongmei.units.access import check_role

    check_role(actor, OPERATOR)
    targets = {"approve": ProductStatus.APPROVED, "reject": ProductStatus.REJECTED,
               "offline": ProductStatus.OFFLINE}
    if decision not in targets:
        raise ServiceError("invalid_decision", "无效的审核操作")
    note = (note or "").strip()
    if decision == "reject" and not note:
        raise ServiceError("reason_required", "驳回时请填写原因", field="note")
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFoundError("商品不存在")
    if decision == "approve":
        gate_texts(name=product.name, description=product.description)
    product.status = targets[decision]
    product.review_note = note[:200]
    product.reviewed_by = actor
    product.save(update_fields=["status", "review_note", "reviewed_by"])
    return product


def stock_adjust(*, actor, product_id: int, delta, reason: str,
                 now: datetime | None = None) -> StockAdjustment:
    """Add (delta > 0) or remove stock by hand, with a reason; never below zero; audited."""
    now = now or timezone.now()
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFoundError("商品不存在")
    if not has_role(actor, OPERATOR):
        access_merchant(actor, product.merchant_id, owner=True)
    delta = _int(delta, code="invalid_delta", message="调整数量必须是非零整数", field="delta")
    if delta == 0:
        raise ServiceError("invalid_delta", "调整数量必须是非零整数", field="delta")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", "请填写调整原因", field="reason")
    with transaction.atomic():
        moved = (Product.objects.filter(pk=product.pk, stock__gte=max(0, -delta))
                 .update(stock=F("stock") + delta))
        if not moved:
            raise ServiceError("stock_negative",
                               f"当前库存{Product.objects.get(pk=product.pk).stock}件，"
                               "调整后不能小于0", field="delta", status=409)
        after = Product.objects.filter(pk=product.pk).values_list("stock", flat=True).get()
        return StockAdjustment.objects.create(product=product, delta=delta, stock_after=after,
                                              reason=reason[:120], actor=actor, created_at=now)
