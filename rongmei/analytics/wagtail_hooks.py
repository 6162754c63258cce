"""The 数据 menu of the staff console: 数据看板, 渠道码, 县融指数与排行, 大屏 — for 总编辑,
运营 and 管理员 (each view asks ``units.access`` again). Population and the county's code are a
Wagtail setting (设置 › 数据统计设置)."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from rongmei.core.console import RoleScreenViewSet

from . import admin_views
from .services import READERS


class AnalyticsGroup(ViewSetGroup):
    menu_label = "数据"
    menu_icon = "table"
    menu_order = 150
    items = (
        RoleScreenViewSet("analytics_dashboard", menu_label="数据看板", icon="table",
                          view_class=admin_views.DashboardView, roles=READERS),
        RoleScreenViewSet("analytics_codes", menu_label="渠道码", icon="link",
                          view_class=admin_views.ChannelCodesView, roles=READERS),
        RoleScreenViewSet("analytics_index", menu_label="县融指数与排行", icon="pick",
                          view_class=admin_views.IndexView, roles=READERS),
        RoleScreenViewSet("analytics_screen", menu_label="大屏", icon="desktop",
                          view_class=admin_views.ScreenView, roles=READERS),
    )


@hooks.register("register_admin_viewset")
def register_analytics():
    return AnalyticsGroup()
