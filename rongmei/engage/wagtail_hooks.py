"""The 互动 menu group of the staff console: 评论审核, 举报处理, 互动统计 — for editors,
chief editors, directors, operators and administrators."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from . import admin_views


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.is_moderator(request.user)


class ModeratorViewSet(ViewSet):
    menu_item_class = ModeratorMenuItem
    view_class = None

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]


class EngageGroup(ViewSetGroup):
    menu_label = "互动"
    menu_icon = "comment"
    menu_order = 250
    items = (
        ModeratorViewSet("engage_comments", menu_label="评论审核", icon="comment",
                         view_class=admin_views.CommentQueueView),
        ModeratorViewSet("engage_reports", menu_label="举报处理", icon="warning",
                         view_class=admin_views.ReportsView),
        ModeratorViewSet("engage_stats", menu_label="互动统计", icon="table",
                         view_class=admin_views.StatsView),
    )


@hooks.register("register_admin_viewset")
def register_engage():
    return EngageGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    """我的收藏 on 我的."""
    from django.urls import reverse

    from rongmei.accounts.me import MeCell

    return [MeCell("我的收藏", reverse("engage:favourites"), "收藏的新闻", order=35,
                   testid="me-favourites")]


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    from . import dashboard

    dashboard.add_panel(request, panels)


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: comments made in the period (the index's 互动力)."""
    from .models import Comment

    made = Comment.objects.filter(created_at__date__range=(start, end))
    return [
        {"code": "comments", "label": "评论", "value": made.count(), "unit": "条",
         "group": "互动"},
        {"code": "comments_public", "label": "评论（已公开）",
         "value": made.filter(status="approved").count(), "unit": "条", "group": "互动"},
    ]
