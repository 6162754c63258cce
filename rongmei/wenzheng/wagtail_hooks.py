"""The 问政 menu group of the staff console: for 问政专员 and 总编辑, with the 内参/告知单,
case lookup and statistics screens also shown to 宣传部, and the 节假日安排 to operators;
and the home-page warning when a year's 节假日安排 is missing."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.roles import OPERATOR, PROPAGANDA

from . import admin_views as v
from . import open311
from .admin_calendar import HolidaysView, calendar_warning_panel
from .admin_moderation import ReportsView
from .models import CaseCategory, DeadlineRule

BOTH = v.NEWSROOM + (PROPAGANDA,)
CALENDAR = (OPERATOR,) + v.NEWSROOM


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
        v.ScreenViewSet("wenzheng_replies", menu_label="答复与进展审核", icon="doc-full",
                        view_class=v.RepliesView),
        v.ScreenViewSet("wenzheng_reports", menu_label="问政举报", icon="warning",
                        view_class=ReportsView),
        v.ScreenViewSet("wenzheng_briefings", menu_label="内参与告知单", icon="doc-full-inverse",
                        view_class=v.BriefingsView, roles=BOTH),
        v.ScreenViewSet("wenzheng_cases", menu_label="问政查询", icon="search",
                        view_class=v.CasesView, roles=BOTH),
        v.ScreenViewSet("wenzheng_dashboard", menu_label="问政统计", icon="table",
                        view_class=v.DashboardView, roles=BOTH),
        CategoryViewSet("wenzheng_categories"),
        v.ScreenViewSet("wenzheng_open311", menu_label="Open311 合作系统", icon="key",
                        view_class=open311.PartnersView, roles=open311.ISSUERS),
        DeadlineRuleViewSet("wenzheng_deadlines"),
        v.ScreenViewSet("wenzheng_holidays", menu_label="节假日安排", icon="date",
                        view_class=HolidaysView, roles=CALENDAR),
    )


@hooks.register("register_admin_viewset")
def register_wenzheng():
    return WenzhengGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell
    from rongmei.core.roles import GRID_LEADER, UNIT_HANDLER
    from rongmei.units.access import has_role

    cells = [MeCell("我的问政", reverse("wenzheng:mine"), "诉求进度、评价", order=40)]
    if has_role(request.user, UNIT_HANDLER, GRID_LEADER):  # the phone workspace
        cells.append(MeCell("问政承办", reverse("wenzheng:work"), "责任单位、三长",
                            group="work", order=10))
    return cells


@hooks.register("construct_homepage_panels")
def add_calendar_warning(request, panels):
    panel = calendar_warning_panel(request, CALENDAR)
    if panel is not None:
        panels.append(panel)


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    from . import dashboard

    dashboard.add_panel(request, panels)


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: 问政 received and closed, and its rates by category (``measures.py`` defines
    them; cases counted by submission in the period)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from . import measures
    from .models import Case, CaseState

    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    closed = Case.objects.filter(state=CaseState.CLOSED, closed_at__gte=since,
                                 closed_at__lt=until).count()

    def rate(value):
        return "—" if value is None else f"{value * 100:.1f}%"

    rows = measures.case_measures(group_by="category", start=since, end=until)
    return [
        {"code": "wenzheng_received", "label": "受理", "value": Case.objects.filter(
            created_at__gte=since, created_at__lt=until).count(), "unit": "件", "group": "问政"},
        {"code": "wenzheng_closed", "label": "办结", "value": closed, "unit": "件",
         "group": "问政"},
        {"code": "wenzheng_by_category", "title": "问政办理（按类别）", "group": "问政",
         "columns": ["类别", "件数", "响应率", "解决率", "满意率", "按期答复率"],
         "rows": [[r["label"], r["cases"], rate(r["response_rate"]), rate(r["resolve_rate"]),
                   rate(r["satisfaction_rate"]), rate(r["on_time_reply_rate"])]
                  for r in rows]},
    ]
