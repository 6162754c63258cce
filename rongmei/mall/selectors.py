"""Reads for the mall, written once with their joins."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from .models import Fulfilment, Order, OrderStatus, Product, ProductStatus

# The merchant's order list: what to do next.
MERCHANT_TABS = (("ship", "待发货"), ("pickup", "待自提"), ("done", "已处理"))


def products_on_sale(*, now=None):
    """Approved products whose sale window has not ended, newest first."""
    now = now or timezone.now()
    return (Product.objects.select_related("merchant")
            .filter(status=ProductStatus.APPROVED, merchant__status="approved")
            .filter(Q(sale_ends__isnull=True) | Q(sale_ends__gt=now))
            .order_by("-created_at", "-pk"))


def product_detail(*, pk: int):
    return products_on_sale().filter(pk=pk).first()


def orders_of(*, user, status: str | None = None):
    orders = Order.objects.select_related("product__merchant").filter(user=user)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-created_at", "-pk")


def orders_for_console(*, status: str | None = None, merchant_id: int | None = None):
    orders = Order.objects.select_related("product__merchant", "user", "verified_by")
    if status:
        orders = orders.filter(status=status)
    if merchant_id:
        orders = orders.filter(product__merchant_id=merchant_id)
    return orders.order_by("-created_at", "-pk")


def products_of_merchants(*, merchants):
    """Every product of these merchants, whatever its status (the merchant's own list)."""
    return (Product.objects.select_related("merchant").filter(merchant__in=merchants)
            .order_by("-created_at", "-pk"))


def orders_for_merchants(*, merchant_ids, tab: str):
    """The merchant's order list (``MERCHANT_TABS``): delivery orders waiting to be shipped,
    pickup orders waiting at the counter (oldest first: they expire first), or everything
    handled (newest first)."""
    orders = (Order.objects.select_related("product__merchant", "user", "verified_by")
              .filter(product__merchant_id__in=list(merchant_ids)))
    if tab == "ship":
        return orders.filter(status=OrderStatus.RESERVED,
                             fulfilment=Fulfilment.DELIVERY).order_by("created_at", "pk")
    if tab == "pickup":
        return orders.filter(status=OrderStatus.RESERVED,
                             fulfilment=Fulfilment.PICKUP).order_by("expires_at", "pk")
    return orders.exclude(status=OrderStatus.RESERVED).order_by("-updated_at", "-pk")
