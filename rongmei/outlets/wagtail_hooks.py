"""The 分发 menu group: the delivery queue for editors and up, outlet settings for operators."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from rongmei.core.console import OperatorMenuItem

from . import admin_views


class OutletsViewSet(ViewSet):
    menu_item_class = OperatorMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.OutletListView.as_view(), name="index"),
            path("new/", admin_views.OutletEditView.as_view(), name="add"),
            path("<int:pk>/", admin_views.OutletEditView.as_view(), name="edit"),
        ]


class DeliveryQueueViewSet(ViewSet):
    menu_item_class = admin_views.QueueMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.DeliveryQueueView.as_view(), name="index"),
            path("<int:pk>/", admin_views.DeliveryDetailView.as_view(), name="detail"),
        ]


class OutletsGroup(ViewSetGroup):
    menu_label = "多端分发"
    menu_icon = "globe"
    menu_order = 210
    items = (
        DeliveryQueueViewSet("outlet_deliveries", menu_label="分发队列", icon="list-ul"),
        OutletsViewSet("outlet_settings", menu_label="分发渠道", icon="globe"),
    )


@hooks.register("register_admin_viewset")
def register_outlets():
    return OutletsGroup()


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: stories delivered to each outlet in the period (successful publishes), what
    failed, and each outlet's followers and reads as its platform reported them
    (``outlets_figures``, fetched every morning)."""
    from django.db.models import Count, Q

    from .figures import latest_rows
    from .models import Delivery, DeliveryAction, DeliveryStatus

    rows = (Delivery.objects.filter(finished_at__date__range=(start, end),
                                    action=DeliveryAction.PUBLISH)
            .values_list("outlet__name", "outlet__kind")
            .annotate(sent=Count("pk", filter=Q(status=DeliveryStatus.SUCCESS)),
                      failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)))
            .order_by("-sent"))
    rows = list(rows)
    return [
        {"code": "outlet_posts", "label": "多端分发成功", "value": sum(r[2] for r in rows),
         "unit": "篇次", "group": "内容"},
        {"code": "outlets_delivered", "title": "多端分发（按渠道）", "group": "内容",
         "columns": ["渠道", "类型", "发布成功", "失败"],
         "rows": [[name, kind, sent, failed] for name, kind, sent, failed in rows]},
        {"code": "outlet_figures", "title": "多端渠道数据（粉丝为期末数，阅读/播放为期间合计）",
         "group": "内容", "columns": ["渠道", "类型", "粉丝", "阅读/播放", "获取状态"],
         "rows": latest_rows(start, end)},
    ]
