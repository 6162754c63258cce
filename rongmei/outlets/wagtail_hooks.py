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
