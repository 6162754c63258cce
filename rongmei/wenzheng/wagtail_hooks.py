"""The 问政 menu group of the staff console: for 问政专员 and 总编辑, with the 内参/告知单,
case lookup and statistics screens also shown to 宣传部."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.roles import PROPAGANDA

from . import admin_views as v
from .models import CaseCategory, DeadlineRule

BOTH = v.NEWSROOM + (PROPAGANDA,)


class CategoryViewSet(ModelViewSet):
    """问政分类 with their category-specific fields (operators and 问政专员; the model
    permissions in core.roles decide)."""

    model = CaseCategory
    icon = "folder-open-inverse"
    menu_label = "问政分类"
    add_to_admin_menu = False
    form_fields = ["name", "description", "fields", "default_unit", "is_active", "sort_order"]
    list_display = ["name", "default_unit", Column("status_label", label="状态"), "sort_order"]


class DeadlineRuleViewSet(ModelViewSet):
    """Working days per step, track and priority (the most specific rule wins)."""

    model = DeadlineRule
    icon = "time"
    menu_label = "办理时限"
    add_to_admin_menu = False
    form_fields = ["step", "track", "priority", "working_days"]
    list_display = ["step", "track", "priority", "working_days"]


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
        CategoryViewSet("wenzheng_categories"),
        DeadlineRuleViewSet("wenzheng_deadlines"),
    )


@hooks.register("register_admin_viewset")
def register_wenzheng():
    return WenzhengGroup()
