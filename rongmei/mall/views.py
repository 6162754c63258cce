"""The resident's mall pages (products, ordering, my orders with pickup code and QR) and the
merchant's 核销 page."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rongmei.core.codes import qr_svg
from rongmei.core.errors import ServiceError
from rongmei.core.pagecache import mark_cacheable
from rongmei.core.roles import OPERATOR
from rongmei.merchants.access import merchants_of
from rongmei.units.access import has_role

from . import selectors, services
from .models import Fulfilment, OrderStatus


def product_list(request):
    products = selectors.products_on_sale()[:100]
    response = render(request, "mall/products.html", {"products": products,
                                                      "active_tab": "mall"})
    if not request.user.is_authenticated:
        mark_cacheable(response, seconds=10)
    return response


def product_detail(request, pk: int):
    product = selectors.product_detail(pk=pk)
    if product is None:
        raise Http404
    form = {"quantity": "1", "fulfilment": Fulfilment.PICKUP if product.pickup else
            Fulfilment.DELIVERY}
    return _product_page(request, product, form)


def _product_page(request, product, form, *, error=None, status=200):
    # A fresh key per rendered form: pressing 提交 twice sends the same key, one order.
    form = dict(form)
    form.setdefault("key", secrets.token_urlsafe(16))
    return render(request, "mall/product.html", {
        "product": product, "form": form, "error": error, "active_tab": "mall",
        "fulfilments": [(v, l) for v, l in Fulfilment.choices
                        if getattr(product, "pickup" if v == "pickup" else "delivery")],
    }, status=status)


@require_POST
def order_create(request, pk: int):
    if not request.user.is_authenticated:
        return redirect(f"/login/?next=/mall/products/{pk}/")
    product = selectors.product_detail(pk=pk)
    if product is None:
        raise Http404
    data = request.POST
    try:
        order = services.order_place(
            user=request.user, product_id=product.pk, quantity=data.get("quantity", ""),
            fulfilment=data.get("fulfilment", ""), key=data.get("key", ""),
            recipient=data.get("recipient", ""), phone=data.get("phone", ""),
            address=data.get("address", ""))
    except ServiceError as exc:
        product.refresh_from_db()
        return _product_page(request, product, data.dict(), error=exc, status=exc.status)
    messages.success(request, f"兑换成功，提货码 {order.pickup_code}")
    return redirect("mall:orders")


@login_required
def my_orders(request):
    tabs = [("reserved", "待提货/待发货"), ("shipped", "已发货"), ("completed", "已完成"),
            ("cancelled", "已取消")]
    status = request.GET.get("status", OrderStatus.RESERVED)
    if status not in dict(tabs):
        status = OrderStatus.RESERVED
    orders = list(selectors.orders_of(user=request.user, status=status)[:100])
    rows = [{"order": o, "qr": qr_svg(o.pickup_code) if status == "reserved" else None}
            for o in orders]
    return render(request, "mall/orders.html", {"rows": rows, "tabs": tabs, "status": status,
                                                "active_tab": "me"})


@login_required
@require_POST
def order_cancel(request, pk: int):
    try:
        services.order_cancel(user=request.user, order_id=pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "订单已取消，积分和库存已退回")
    return redirect("mall:orders")


@login_required
def verify(request):
    """核销 at the counter: scan the resident's QR or type the pickup code."""
    merchants = list(merchants_of(request.user))
    if not merchants and not has_role(request.user, OPERATOR):
        return render(request, "mall/verify.html", {"forbidden": True, "active_tab": "me"},
                      status=403)
    context = {"merchants": merchants, "active_tab": "me", "code": ""}
    if request.method == "POST":
        context["code"] = request.POST.get("code", "")
        try:
            context["order"] = services.order_verify(actor=request.user, code=context["code"])
        except ServiceError as exc:
            context["error"] = exc.message
            return render(request, "mall/verify.html", context, status=exc.status)
        context["code"] = ""
    return render(request, "mall/verify.html", context)


# --- the merchant's own products (mobile) ----------------------------------------------------

def _owned_merchants(user):
    from rongmei.merchants.models import MerchantStaffRole

    return list(merchants_of(user).filter(staff__user=user,
                                          staff__role=MerchantStaffRole.OWNER).distinct())


def _local_datetime(raw, *, field: str):
    """A ``datetime-local`` input ("2026-12-01T09:00") in the county's time, or None."""
    from datetime import datetime

    from django.utils import timezone

    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return timezone.make_aware(datetime.fromisoformat(raw))
    except ValueError:
        raise ServiceError("invalid_time", "请输入正确的时间，如 2026-12-01 09:00",
                           field=field) from None


@login_required
def shop(request):
    """A merchant owner lists a product (it waits for an operator's review) and adjusts the
    stock of their products."""
    from rongmei.vouchers.money import AmountError, parse_yuan

    merchants = _owned_merchants(request.user)
    if not merchants:
        return render(request, "mall/shop.html", {"forbidden": True, "active_tab": "me"},
                      status=403)
    context = {"merchants": merchants, "form": {}, "active_tab": "me",
               "merchant_choices": [(m.pk, m.name) for m in merchants]}
    status = 200
    if request.method == "POST":
        data = request.POST
        try:
            if data.get("action") == "stock":
                adjustment = services.stock_adjust(
                    actor=request.user, product_id=int(data.get("product") or 0),
                    delta=data.get("delta", ""), reason=data.get("reason", ""))
                messages.success(request, f"库存已调整为{adjustment.stock_after}件")
                return redirect("mall:shop")
            try:
                cash = parse_yuan(data.get("price_cash") or "0", allow_zero=True)
            except AmountError as exc:
                raise ServiceError("invalid_amount", exc.message, field="price_cash") from None
            number = {}
            for name, label, default in (("stock", "库存", ""), ("price_points", "积分价", "0"),
                                         ("per_person_limit", "每人限兑", "1")):
                raw = (data.get(name) or default).strip()
                if not raw.isdecimal():
                    raise ServiceError("invalid_number", f"{label}必须是不小于0的整数", field=name)
                number[name] = int(raw)
            for name in ("sale_starts", "sale_ends"):
                number[name] = _local_datetime(data.get(name), field=name)
            services.product_create(
                actor=request.user, merchant_id=int(data.get("merchant") or merchants[0].pk),
                name=data.get("name", ""), description=data.get("description", ""),
                image=request.FILES.get("image"), price_cash=cash,
                pickup=bool(data.get("pickup")), delivery=bool(data.get("delivery")), **number)
        except (ServiceError, ValueError) as exc:
            context.update(form=data, error=getattr(exc, "message", "请求无效"),
                           error_field=getattr(exc, "field", None))
            status = getattr(exc, "status", 400)
        else:
            messages.success(request, "商品已提交，运营审核通过后上架")
            return redirect("mall:shop")
    context["products"] = (selectors.products_of_merchants(merchants=merchants))
    return render(request, "mall/shop.html", context, status=status)


# --- the merchant's orders (owner and clerks) -------------------------------------------------

def _staff_merchants(request):
    return list(merchants_of(request.user))


@login_required
def merchant_orders(request):
    """订单管理: to ship / to pick up / handled. Buyers' details are masked here; opening one
    order shows them (and is logged). Live pickup codes are never shown to the shop."""
    merchants = _staff_merchants(request)
    if not merchants:
        return render(request, "mall/merchant_orders.html", {"forbidden": True,
                                                             "active_tab": "me"}, status=403)
    tabs = selectors.MERCHANT_TABS
    tab = request.GET.get("tab", "ship")
    if tab not in dict(tabs):
        tab = "ship"
    page = Paginator(selectors.orders_for_merchants(merchant_ids=[m.pk for m in merchants],
                                                    tab=tab), 30).get_page(request.GET.get("page"))
    return render(request, "mall/merchant_orders.html", {
        "page": page, "tab": tab, "tabs": tabs, "merchants": merchants, "active_tab": "me"})


@never_cache
@login_required
@require_POST
def merchant_order_open(request, pk: int):
    """Open one delivery order: the buyer's name, phone and address, logged."""
    try:
        order = services.order_open_delivery(actor=request.user, order_id=pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("mall:merchant-orders")
    return render(request, "mall/merchant_order.html", {"order": order, "active_tab": "me"})


@login_required
@require_POST
def merchant_order_ship(request, pk: int):
    try:
        order = services.order_ship(actor=request.user, order_id=pk,
                                    tracking_note=request.POST.get("tracking_note", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('mall:merchant-orders')}?tab=ship")
    messages.success(request, f"订单{order.pk}已发货")
    return redirect(f"{reverse('mall:merchant-orders')}?tab=ship")


@login_required
@require_POST
def merchant_order_cancel(request, pk: int):
    back = request.POST.get("tab") if request.POST.get("tab") in ("ship", "pickup") else "ship"
    try:
        order = services.order_cancel_by_staff(actor=request.user, order_id=pk,
                                               reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"订单{order.pk}已取消，积分和库存已退回")
    return redirect(f"{reverse('mall:merchant-orders')}?tab={back}")
