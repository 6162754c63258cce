"""The 积分 menu group of the staff console: earning rules, manual adjustment, the ledger.
Operators and administrators only."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.console import OperatorViewSet

from . import admin_views
from .forms import EarningRuleEditForm, EarningRuleForm
from .models import EarningRule, PointsEntry


class EarningRuleViewSet(ModelViewSet):
    """Rules are switched off, never deleted: past entries name their action."""

    model = EarningRule
    icon = "pick"
    menu_label = "积分规则"
    index_view_class = admin_views.RuleIndexView
    add_view_class = admin_views.RuleCreateView
    edit_view_class = admin_views.RuleEditView
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return EarningRuleEditForm if for_update else EarningRuleForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, usage_url_name=None,
                                              **kwargs)

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns()
                if pattern.name not in {"delete", "usage"}]


class PointsEntryViewSet(ModelViewSet):
    """The append-only ledger: a listing with filters and search, nothing to edit."""

    model = PointsEntry
    icon = "list-ul"
    menu_label = "积分明细"
    index_view_class = admin_views.EntryIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = []

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None,
            history_url_name=None, usage_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


class PointsGroup(ViewSetGroup):
    menu_label = "积分"
    menu_icon = "pick"
    menu_order = 390
    items = (
        EarningRuleViewSet("points_rules"),
        OperatorViewSet("points_adjust", menu_label="人工调整", icon="edit",
                        view_class=admin_views.AdjustView),
        PointsEntryViewSet("points_entries"),
    )


@hooks.register("register_admin_viewset")
def register_points():
    return PointsGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell

    from .selectors import balance

    return [MeCell("我的积分", reverse("points:overview"), f"{balance(user=request.user)}分",
                   order=10, testid="me-points")]


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: points issued and spent in the period (refunds net out of spending)."""
    from django.db.models import Sum

    from .models import EntryKind

    entries = PointsEntry.objects.filter(created_at__date__range=(start, end))
    by_kind = dict(entries.values_list("kind").annotate(total=Sum("amount")))
    spent = -(by_kind.get(EntryKind.SPEND) or 0) - (by_kind.get(EntryKind.REFUND) or 0)
    return [
        {"code": "points_issued", "label": "发放积分", "value": by_kind.get(EntryKind.EARN) or 0,
         "unit": "分", "group": "积分"},
        {"code": "points_spent", "label": "使用积分", "value": max(0, spent), "unit": "分",
         "group": "积分"},
    ]
