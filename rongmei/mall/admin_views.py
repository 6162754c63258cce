"""Staff console screens for 融媒商城: product review, orders (with Excel export) and stock
adjustments. Operators and administrators only; the writes go through ``services``, which
check the role again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import OperatorRequiredMixin
from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX, workbook_bytes
from rongmei.core.masking import mask_phone

from . import selectors, services
from .models import OrderStatus, Product, ProductStatus, StockAdjustment


class OperatorScreen(OperatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]


class ProductReviewView(OperatorScreen):
    template_name = "mall/admin/products.html"
    page_title = "商品审核"
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", ProductStatus.PENDING)
        if status not in ProductStatus.values:
            status = ProductStatus.PENDING
        products = (Product.objects.select_related("merchant", "reviewed_by")
                    .filter(status=status).order_by("-created_at", "-pk"))
        context = super().get_context_data(**kwargs)
        context.update({"status": status, "statuses": ProductStatus.choices,
                        "page": Paginator(products, 50).get_page(self.request.GET.get("p"))})
        return context

    def post(self, request, *args, **kwargs):
        try:
            product = services.product_review(
                actor=request.user, product_id=int(request.POST.get("product", 0)),
                decision=request.POST.get("decision", ""), note=request.POST.get("note", ""))
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "请求无效"))
        else:
            messages.success(request, f"“{product.name}”已{product.get_status_display()}")
        return redirect(request.get_full_path())


# A live pickup code hands over goods to whoever holds it: exports carry only spent or void
# codes (``Order.code_for_export``).
ORDER_HEADER = ("订单号", "下单时间", "商品", "商户", "数量", "积分", "现金（元）", "提货方式",
                "收货人", "联系电话", "收货地址", "状态", "处理说明", "提货码（仅已失效）",
                "提货截止", "更新时间")


class OrdersView(OperatorScreen):
    template_name = "mall/admin/orders.html"
    page_title = "商城订单"
    header_icon = "list-ul"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def _status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in OrderStatus.values else ""

    def get_context_data(self, **kwargs):
        orders = selectors.orders_for_console(status=self._status() or None)
        context = super().get_context_data(**kwargs)
        context.update({"status": self._status(), "statuses": OrderStatus.choices,
                        "page": Paginator(orders, 50).get_page(self.request.GET.get("p"))})
        return context

    def post(self, request, *args, **kwargs):
        """取消订单 for a resident (a reason is required; points and stock go back)."""
        try:
            order = services.order_cancel_by_staff(
                actor=request.user, order_id=int(request.POST.get("order") or 0),
                reason=request.POST.get("reason", ""))
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "请求无效"))
        else:
            messages.success(request, f"订单{order.pk}已取消，积分和库存已退回")
        return redirect(request.get_full_path())

    def export(self) -> HttpResponse:
        local = timezone.localtime
        rows = (
            (o.pk, local(o.created_at).replace(tzinfo=None), o.product.name,
             o.product.merchant.name, o.quantity, o.points_total, o.cash_total / 100,
             o.get_fulfilment_display(), o.recipient, mask_phone(o.phone) if o.phone else "",
             o.address, o.status_label, o.status_note, o.code_for_export,
             local(o.expires_at).replace(tzinfo=None), local(o.updated_at).replace(tzinfo=None))
            for o in selectors.orders_for_console(status=self._status() or None).iterator()
        )
        data = workbook_bytes("商城订单", ORDER_HEADER, rows, money_columns=(6,),
                              time_columns=(1, 14, 15))
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="mall-orders-{timezone.localdate():%Y%m%d}.xlsx"')
        return response


class StockView(OperatorScreen):
    template_name = "mall/admin/stock.html"
    page_title = "库存调整"
    header_icon = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "products": Product.objects.select_related("merchant").order_by("merchant__name",
                                                                            "name"),
            "adjustments": StockAdjustment.objects.select_related("product", "actor")[:100],
            "form": kwargs.get("form", {}),
        })
        return context

    def post(self, request, *args, **kwargs):
        try:
            adjustment = services.stock_adjust(
                actor=request.user, product_id=int(request.POST.get("product") or 0),
                delta=request.POST.get("delta", ""), reason=request.POST.get("reason", ""))
        except (ServiceError, ValueError) as exc:
            context = self.get_context_data(form=request.POST)
            context["error"] = getattr(exc, "message", "请选择商品")
            return self.render_to_response(context, status=getattr(exc, "status", 400))
        messages.success(request, f"“{adjustment.product.name}”库存已调整为{adjustment.stock_after}件")
        return redirect(request.path)
