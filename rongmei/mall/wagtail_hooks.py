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
