"""The 问政 menu group of the staff console: for 问政专员 and 总编辑, with the 内参/告知单,
case lookup and statistics screens also shown to 宣传部."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from rongmei.core.roles import PROPAGANDA

from . import admin_views as v

BOTH = v.NEWSROOM + (PROPAGANDA,)


class WenzhengGroup(ViewSetGroup):
    menu_label = "问政"
    menu_icon = "help"
    menu_order = 300
    items = (
        v.ScreenViewSet("wenzheng_triage", menu_label="问政分拣", icon="tasks",
                        view_class=v.TriageView),
        v.ScreenViewSet("wenzheng_dispatch", menu_label="转办与退单延期", icon="redirect",
                        view_class=v.DispatchView),
        v.ScreenViewSet("wenzheng_replies", menu_label="答复审核", icon="doc-full",
                        view_class=v.RepliesView),
        v.ScreenViewSet("wenzheng_briefings", menu_label="内参与告知单", icon="doc-full-inverse",
                        view_class=v.BriefingsView, roles=BOTH),
        v.ScreenViewSet("wenzheng_cases", menu_label="问政查询", icon="search",
                        view_class=v.CasesView, roles=BOTH),
        v.ScreenViewSet("wenzheng_dashboard", menu_label="问政统计", icon="table",
                        view_class=v.DashboardView, roles=BOTH),
    )


@hooks.register("register_admin_viewset")
def register_wenzheng():
    return WenzhengGroup()
