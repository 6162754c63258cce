"""Staff console screens for 积分: the earning rules, manual adjustment, the ledger.

Operators and administrators only; the adjustment goes through ``services.points_adjust``,
which checks the role again and writes the audited entry.
"""

from __future__ import annotations

import django_filters
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import OperatorRequiredMixin
from rongmei.core.errors import ServiceError
from rongmei.core.masking import mask_phone

from . import services
from .selectors import payable_actions
from .forms import AdjustForm
from .models import EarningRule, EntryKind, PointsEntry

# --- rules -----------------------------------------------------------------------------------

class RuleIndexView(OperatorRequiredMixin, generic.IndexView):
    default_ordering = "sort_order"

    @cached_property
    def _payable(self) -> frozenset[str]:
        return payable_actions()

    def _paid_label(self, rule) -> str:
        if rule.action in self._payable:
            return "是（今日任务）" if rule.is_active else "否（已停用）"
        return "否（尚无功能模块发放此项积分）"

    @property
    def columns(self):
        return [
            TitleColumn("label", label="名称", get_url=self.get_edit_url),
            Column("action", label="行为代码"),
            Column("points", label="每次积分"),
            Column("daily_cap", label="每日上限",
                   accessor=lambda r: r.daily_cap or "不限"),
            Column("is_active", label="状态", accessor=lambda r: "启用" if r.is_active else "停用"),
            Column("paid", label="居民可见", accessor=self._paid_label),
            Column("sort_order", label="排序"),
        ]


class RuleCreateView(OperatorRequiredMixin, generic.CreateView):
    pass


class RuleEditView(OperatorRequiredMixin, generic.EditView):
    pass


# --- manual adjustment -----------------------------------------------------------------------

class AdjustView(OperatorRequiredMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "points/admin/adjust.html"
    form_class = AdjustForm
    page_title = "人工调整积分"
    header_icon = "edit"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        try:
            entry = services.points_adjust(actor=self.request.user,
                                           user=form.cleaned_data["user"],
                                           amount=form.cleaned_data["amount"],
                                           note=form.cleaned_data["note"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        # Show the written entry, with an empty form for the next one.
        return self.render_to_response(self.get_context_data(
            form=AdjustForm(), entry=entry, entry_phone=mask_phone(form.cleaned_data["phone"]),
            entries_url=reverse("points_entries:index")))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# --- the ledger ------------------------------------------------------------------------------

class EntryFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=EntryKind.choices)
    action = django_filters.ChoiceFilter(label="事由", choices=lambda: _action_choices())

    class Meta:
        model = PointsEntry
        fields = []


def _action_choices():
    labels = dict(EarningRule.objects.values_list("action", "label"))
    labels.update({"adjust": "人工调整", "expire": "积分过期", "refund": "退回"})
    used = PointsEntry.objects.values_list("action", flat=True).distinct().order_by("action")
    return [(code, labels.get(code, code)) for code in used]


class EntryIndexView(OperatorRequiredMixin, generic.IndexView):
    """Read-only: the ledger is append-only; phones are masked."""

    default_ordering = "-created_at"
    filterset_class = EntryFilterSet
    search_fields = ["account__user__phone"]
    search_backend_name = None
    list_export = []

    def get_base_queryset(self):
        return PointsEntry.objects.select_related("account__user", "actor")

    @property
    def columns(self):
        return [
            DateColumn("created_at", label="时间"),
            Column("phone", label="手机号", accessor=lambda e: mask_phone(e.account.user.phone)),
            Column("kind", label="类型", accessor="get_kind_display"),
            Column("reason", label="说明"),
            Column("amount", label="积分变动", accessor=lambda e: f"{e.amount:+d}"),
            Column("balance_after", label="变动后余额"),
            Column("actor", label="操作人",
                   accessor=lambda e: e.actor.display_name if e.actor_id else "—"),
        ]
