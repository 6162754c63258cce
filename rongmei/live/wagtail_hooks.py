"""直播 in the staff console (the 直播 menu: rooms and their control screens) and in 我的
(booked rooms that have started)."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from rongmei.accounts.me import MeCell
from rongmei.units.access import has_role

from . import admin_views
from .access import BLOG_ROLES


class LiveMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(request.user, *BLOG_ROLES)


class LiveRoomsViewSet(ViewSet):
    menu_item_class = LiveMenuItem
    menu_label = "直播"
    icon = "media"
    menu_order = 260
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", admin_views.RoomListView.as_view(), name="index"),
            path("new/", admin_views.RoomFormView.as_view(), name="new"),
            path("<int:room_id>/", admin_views.RoomControlView.as_view(), name="control"),
            path("<int:room_id>/edit/", admin_views.RoomFormView.as_view(), name="edit"),
        ]


@hooks.register("register_admin_viewset")
def register_live():
    return LiveRoomsViewSet("live_rooms", url_prefix="live")


@hooks.register("rongmei_me_cells")
def live_cells(request):
    from .services.audience import reminders_started_for

    started = reminders_started_for(request.user)
    cells = [MeCell("看直播", "/live/", order=45, testid="me-live")]
    if started:
        cells = [MeCell("预约的直播已开始", started[0].room.get_absolute_url(),
                        value=f"{len(started)}场", order=44, testid="me-live-started"), *cells]
    return cells


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: rooms that went live in the period, with peak and cumulative viewers."""
    from django.db.models import Max, Sum

    from .models import LiveRoom

    rooms = LiveRoom.objects.filter(started_at__date__range=(start, end))
    totals = rooms.aggregate(peak=Max("peak_viewers"), total=Sum("total_viewers"))
    return [
        {"code": "live_rooms", "label": "开播场次", "value": rooms.count(), "unit": "场",
         "group": "直播"},
        {"code": "live_peak_viewers", "label": "最高同时在线", "value": totals["peak"] or 0,
         "unit": "人", "group": "直播"},
        {"code": "live_total_viewers", "label": "累计观看", "value": totals["total"] or 0,
         "unit": "人次", "group": "直播"},
        {"code": "live_rooms_table", "title": "直播观看（按场次）", "group": "直播",
         "columns": ["直播", "最高同时在线", "累计观看"],
         "rows": [[r.title, r.peak_viewers, r.total_viewers]
                  for r in rooms.order_by("-total_viewers")[:20]]},
    ]
