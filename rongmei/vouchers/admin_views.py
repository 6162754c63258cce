"""Staff console screens for 消费券: campaigns (rounds, publishing, the lottery), the
dashboard, settlement statements and the report of suspicious claims.

Every screen is for operators and administrators (``OperatorRequiredMixin``); the writes go
through ``services`` / ``schedule``, which check the role again.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton

from rongmei.core.console import OperatorRequiredMixin, require_operator
from rongmei.core.errors import ServiceError
from rongmei.merchants.models import Merchant

from . import exports, reports, selectors, services
from .forms import (
    LotteryCommitForm,
    LotteryDrawForm,
    LotteryValueForm,
    RoundBatchForm,
    StatementGenerateForm,
    SuspiciousFilterForm,
)
from .models import (
    CampaignStatus,
    Distribution,
    Issuer,
    SettlementStatement,
    VoucherCampaign,
    VoucherStatus,
    yuan,
)
from .services import rounds_add_daily, rounds_closed


class OperatorScreen(OperatorRequiredMixin, WagtailAdminTemplateMixin):
    """A console screen that is not a model's listing or form: 首页 › [parent ›] title."""

    parent_crumb: tuple[str, str] | None = None  # (label, URL name)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.parent_crumb:
            label, url_name = self.parent_crumb
            items.append({"url": reverse(url_name), "label": label})
        return items + [{"url": "", "label": self.get_page_title()}]


def _form_error(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- campaigns -------------------------------------------------------------------------------

class CampaignIndexView(OperatorRequiredMixin, generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return VoucherCampaign.objects.annotate(
            round_count=Count("rounds"), stock=Sum("rounds__stock"),
            remaining=Sum("rounds__remaining"))

    @property
    def columns(self):
        return [
            TitleColumn("title", label="活动名称", get_url=self.get_inspect_url),
            Column("rule", label="面额规则", accessor="rule_text"),
            Column("distribution", label="发放方式", accessor="get_distribution_display"),
            Column("category", label="行业", accessor="get_category_display"),
            Column("status", label="状态", accessor="get_status_display"),
            Column("round_count", label="场次"),
            Column("stock", label="发放总量", accessor=lambda c: c.stock or 0),
            Column("remaining", label="剩余", accessor=lambda c: c.remaining or 0),
            DateColumn("created_at", label="创建时间"),
        ]


class CampaignCreateView(OperatorRequiredMixin, generic.CreateView):
    def get_initial_form_instance(self):
        return VoucherCampaign(created_by=self.request.user)

    def get_success_url(self):
        # Next step: add rounds on the campaign's own screen.
        return reverse("voucher_campaigns:inspect", args=(self.object.pk,))


class CampaignEditView(OperatorRequiredMixin, generic.EditView):
    def get_success_url(self):
        return reverse("voucher_campaigns:inspect", args=(self.object.pk,))


class CampaignInspectView(OperatorRequiredMixin, generic.InspectView):
    """The campaign's screen: its rules, rounds, the 批量添加场次 form, publishing and the
    lottery. The action views below render it again with their form's errors."""

    template_name = "vouchers/admin/campaign_inspect.html"

    def get_page_title(self):
        return "消费券活动"

    def get_context_data(self, **kwargs):
        campaign = self.object
        rounds = campaign.rounds.annotate(
            claimed=Count("vouchers"),
            redeemed=Count("vouchers", filter=Q(vouchers__status=VoucherStatus.REDEEMED)),
        ).order_by("starts_at")
        kwargs.setdefault("round_form", RoundBatchForm())
        context = super().get_context_data(**kwargs)
        context.update({
            "campaign": campaign,
            "rounds": rounds,
            "can_change": self.user_has_permission("change"),
            "rounds_closed": rounds_closed(campaign),
            "is_draft": campaign.status == CampaignStatus.DRAFT,
            "is_lottery": campaign.distribution == Distribution.LOTTERY,
        })
        if context["is_lottery"]:
            context["lottery"] = selectors.lottery_public_record(campaign)
            context.setdefault("commit_form", LotteryCommitForm())
            context.setdefault("draw_form", LotteryDrawForm())
            context.setdefault("value_form", LotteryValueForm())
            context["lottery_staff"] = {
                "committed_by": campaign.lottery_committed_by,
                "value_entered_by": campaign.lottery_value_entered_by,
                "value_entered_at": campaign.lottery_value_entered_at,
                "pending_value": (campaign.lottery_public_value
                                  if not campaign.lottery_drawn_at else ""),
                "drawn_by": campaign.lottery_drawn_by,
                "may_confirm": self.request.user.pk not in (
                    campaign.lottery_committed_by_id, campaign.lottery_value_entered_by_id),
            }
        return context


class CampaignActionView(CampaignInspectView):
    """POST only: one action on the campaign, then back to its screen."""

    http_method_names = ["post"]
    permission_required = "change"
    any_permission_required = None

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect("voucher_campaigns:inspect", self.object.pk)

    def again(self, **forms):
        return self.render_to_response(self.get_context_data(**forms))


class RoundBatchView(CampaignActionView):
    def post(self, request, *args, **kwargs):
        form = RoundBatchForm(request.POST)
        if form.is_valid():
            try:
                rounds = rounds_add_daily(actor=request.user, campaign=self.object,
                                          **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                return self.done(f"已添加{len(rounds)}个场次")
        return self.again(round_form=form)


class PublishView(CampaignActionView):
    def post(self, request, *args, **kwargs):
        try:
            services.campaign_publish(actor=request.user, campaign=self.object)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("voucher_campaigns:inspect", self.object.pk)
        return self.done(f"“{self.object.title}”已发布，居民可以在活动时间领取")


@method_decorator(never_cache, name="dispatch")
class LotteryCommitView(CampaignActionView):
    """生成并公布种子承诺. The seed is shown once, on this response, and never stored."""

    def post(self, request, *args, **kwargs):
        form = LotteryCommitForm(request.POST)
        if form.is_valid():
            seed = form.cleaned_data["seed"]
            try:
                campaign = services.lottery_commit(
                    actor=request.user, campaign=self.object, seed=seed,
                    public_source=form.cleaned_data["public_source"],
                    public_draw_on=form.cleaned_data["public_draw_on"])
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                return TemplateResponse(request, "vouchers/admin/lottery_seed.html", {
                    **self.get_context_data(), "seed": seed,
                    "commitment": campaign.lottery_commitment,
                })
        return self.again(commit_form=form)


class LotteryCloseView(CampaignActionView):
    def post(self, request, *args, **kwargs):
        try:
            campaign = services.lottery_close(actor=request.user, campaign=self.object)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("voucher_campaigns:inspect", self.object.pk)
        return self.done(f"名单已封存并公布指纹，{campaign.entries.filter(excluded=False).count()}人参加摇号")


class LotteryValueView(CampaignActionView):
    """录入公开随机数 (after the named draw's day); the draw waits for a second person."""

    def post(self, request, *args, **kwargs):
        form = LotteryValueForm(request.POST)
        if form.is_valid():
            try:
                services.lottery_public_value_enter(
                    actor=request.user, campaign=self.object,
                    public_value=form.cleaned_data["public_value"])
            except ServiceError as exc:
                if exc.field not in form.fields:
                    messages.error(request, exc.message)
                    return redirect("voucher_campaigns:inspect", self.object.pk)
                _form_error(form, exc)
            else:
                return self.done("公开随机数已录入，请另一位工作人员（非种子承诺人、非录入人）复核开奖")
        return self.again(value_form=form)


class LotteryDrawView(CampaignActionView):
    def post(self, request, *args, **kwargs):
        form = LotteryDrawForm(request.POST)
        if form.is_valid():
            try:
                winners = services.lottery_draw(actor=request.user, campaign=self.object,
                                                seed=form.cleaned_data["seed"],
                                                public_value=form.cleaned_data["public_value"])
            except ServiceError as exc:
                if exc.field not in form.fields:  # not about what was typed: say it on top
                    messages.error(request, exc.message)
                    return redirect("voucher_campaigns:inspect", self.object.pk)
                _form_error(form, exc)
            else:
                return self.done(f"开奖完成：{len(winners)}人中签，种子和结果已公开")
        return self.again(draw_form=form)


# --- dashboard -------------------------------------------------------------------------------

class DashboardView(OperatorScreen, TemplateView):
    template_name = "vouchers/admin/dashboard.html"
    page_title = "消费券数据看板"
    header_icon = "table"

    def get_context_data(self, **kwargs):
        campaigns = VoucherCampaign.objects.exclude(status=CampaignStatus.DRAFT).order_by(
            "-created_at")
        campaign = None
        chosen = self.request.GET.get("campaign", "")
        if chosen.isdecimal():
            campaign = get_object_or_404(VoucherCampaign, pk=int(chosen))
        dashboard = reports.campaign_dashboard(campaign=campaign)
        context = super().get_context_data(**kwargs)
        context.update({"campaigns": campaigns, "dashboard": dashboard,
                        "chart_data": dashboard.chart_data()})
        return context


# --- suspicious claims -----------------------------------------------------------------------

class SuspiciousClaimsView(OperatorScreen, TemplateView):
    template_name = "vouchers/admin/suspicious.html"
    page_title = "可疑领取"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        data = self.request.GET.copy()
        if not data.get("campaign"):
            latest = (VoucherCampaign.objects.exclude(status=CampaignStatus.DRAFT)
                      .order_by("-created_at").first())
            data["campaign"] = latest.pk if latest else ""
        data.setdefault("n", "5")
        form = SuspiciousFilterForm(data)
        context = super().get_context_data(**kwargs)
        context["form"] = form
        if form.is_valid():
            context["report"] = reports.suspicious_claims(
                campaign=form.cleaned_data["campaign"], min_accounts=form.cleaned_data["n"])
        return context


# --- settlement ------------------------------------------------------------------------------

class StatementFilterSet(WagtailFilterSet):
    merchant = django_filters.ModelChoiceFilter(
        label="商户", queryset=Merchant.objects.filter(statements__isnull=False).distinct()
        .order_by("name"))
    funder = django_filters.ChoiceFilter(label="出资方", choices=Issuer.choices)
    period_from = django_filters.DateFilter(
        label="结算期起", field_name="period_end", lookup_expr="gte", widget=AdminDateInput)
    period_to = django_filters.DateFilter(
        label="结算期止", field_name="period_start", lookup_expr="lte", widget=AdminDateInput)

    class Meta:
        model = SettlementStatement
        fields = []


class StatementIndexView(OperatorRequiredMixin, generic.IndexView):
    default_ordering = "-period_end"
    filterset_class = StatementFilterSet

    def get_base_queryset(self):
        return SettlementStatement.objects.select_related("merchant")

    @property
    def columns(self):
        return [
            TitleColumn("merchant", label="商户", accessor=lambda s: s.merchant.name,
                        get_url=self.get_inspect_url),
            Column("period", label="结算期",
                   accessor=lambda s: f"{s.period_start:%Y-%m-%d} 至 {s.period_end:%Y-%m-%d}"),
            Column("funder", label="类型", accessor="kind_label"),
            Column("voucher_count", label="核销张数"),
            Column("subsidy_total", label="抵扣金额合计（元）",
                   accessor=lambda s: yuan(s.subsidy_total)),
            Column("government_owes", label="财政应付（元）",
                   accessor=lambda s: yuan(s.government_owes)),
            Column("bill_total", label="带动消费（元）", accessor=lambda s: yuan(s.bill_total)),
            DateColumn("created_at", label="生成时间"),
        ]

    add_item_label = "生成结算单"

    @property
    def header_buttons(self):
        query = self.request.GET.urlencode()
        url = reverse("voucher_statements:export") + (f"?{query}" if query else "")
        return [*super().header_buttons, HeaderButton("导出 Excel", url=url, icon_name="download")]


class StatementGenerateView(OperatorScreen, FormView):
    template_name = "vouchers/admin/statement_generate.html"
    form_class = StatementGenerateForm
    page_title = "生成结算单"
    header_icon = "doc-full"
    parent_crumb = ("结算单", "voucher_statements:index")

    def form_valid(self, form):
        try:
            made = services.statements_generate_all(actor=self.request.user,
                                                    **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
            return self.form_invalid(form)
        if made:
            messages.success(self.request, f"已生成{len(made)}张结算单")
        else:
            messages.warning(self.request, "该时段没有待结算的核销记录，未生成结算单")
        return redirect("voucher_statements:index")


class StatementInspectView(OperatorRequiredMixin, generic.InspectView):
    template_name = "vouchers/admin/statement_inspect.html"
    vouchers_shown = 200

    def get_page_title(self):
        return "结算单"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statement"] = self.object
        context["vouchers"] = (self.object.vouchers.select_related("campaign")
                               .order_by("redeemed_at", "pk")[:self.vouchers_shown])
        return context

    def get_header_more_buttons(self):
        return [HeaderButton("导出 Excel", icon_name="download",
                             url=reverse("voucher_statements:export_one", args=(self.object.pk,)))]


def statement_export(request, pk: int):
    require_operator(request)
    statement = get_object_or_404(SettlementStatement.objects.select_related("merchant"), pk=pk)
    return _xlsx(exports.statement_workbook(statement),
                 f"statement-{statement.pk}-{statement.period_start:%Y%m%d}"
                 f"-{statement.period_end:%Y%m%d}.xlsx")


def statements_export(request):
    require_operator(request)
    statements = StatementFilterSet(request.GET, queryset=SettlementStatement.objects.order_by(
        "-period_end", "merchant__name")).qs
    return _xlsx(exports.statements_workbook(statements),
                 f"statements-{timezone.localdate():%Y%m%d}.xlsx")
