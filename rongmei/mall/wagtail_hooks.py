"""The 商城 menu group of the staff console: product review, orders, stock adjustments.
Operators and administrators only."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from rongmei.core.console import OperatorViewSet

from . import admin_views


class MallGroup(ViewSetGroup):
    menu_label = "商城"
    menu_icon = "pick"
    menu_order = 410
    items = (
        OperatorViewSet("mall_products", menu_label="商品审核", icon="tasks",
                        view_class=admin_views.ProductReviewView),
        OperatorViewSet("mall_orders", menu_label="商城订单", icon="list-ul",
                        view_class=admin_views.OrdersView),
        OperatorViewSet("mall_stock", menu_label="库存调整", icon="history",
                        view_class=admin_views.StockView),
    )


@hooks.register("register_admin_viewset")
def register_mall():
    return MallGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell
    from rongmei.merchants.access import works_for_a_merchant

    cells = [MeCell("我的订单", reverse("mall:orders"), "商城兑换、提货码", order=30)]
    if works_for_a_merchant(request.user):
        cells += [MeCell("商城提货核销", reverse("mall:verify"), "商户", group="work", order=30),
                  MeCell("我的商品", reverse("mall:shop"), "上架、库存", group="work", order=40)]
    return cells


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    from . import dashboard

    dashboard.add_panel(request, panels)


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: mall orders placed in the period, and those handed over or shipped."""
    from .models import Order, OrderStatus

    placed = Order.objects.filter(created_at__date__range=(start, end))
    done = placed.filter(status__in=[OrderStatus.COMPLETED, OrderStatus.SHIPPED]).count()
    return [
        {"code": "mall_orders", "label": "下单", "value": placed.exclude(
            status=OrderStatus.CANCELLED).count(), "unit": "笔", "group": "商城"},
        {"code": "mall_orders_done", "label": "已提货或发货", "value": done, "unit": "笔",
         "group": "商城"},
    ]
