"""The 消费券 menu group of the staff console: campaigns, dashboard, statements, the report
of suspicious claims. Operators and administrators only."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.console import OperatorViewSet

from . import admin_views
from .forms import CampaignForm
from .models import SettlementStatement, VoucherCampaign


class VoucherCampaignViewSet(ModelViewSet):
    model = VoucherCampaign
    icon = "tag"
    menu_label = "消费券活动"
    index_view_class = admin_views.CampaignIndexView
    add_view_class = admin_views.CampaignCreateView
    edit_view_class = admin_views.CampaignEditView
    inspect_view_enabled = True
    inspect_view_class = admin_views.CampaignInspectView
    copy_view_enabled = False
    search_fields = ["title"]
    list_filter = ["status", "distribution", "category", "issuer"]

    def get_form_class(self, for_update=False):
        return CampaignForm

    def get_urlpatterns(self):
        def action(view_class):
            return self.construct_view(view_class, **self.get_inspect_view_kwargs())

        return super().get_urlpatterns() + [
            path("inspect/<int:pk>/rounds/", action(admin_views.RoundBatchView), name="rounds"),
            path("inspect/<int:pk>/publish/", action(admin_views.PublishView), name="publish"),
            path("inspect/<int:pk>/lottery/commit/", action(admin_views.LotteryCommitView),
                 name="lottery_commit"),
            path("inspect/<int:pk>/lottery/close/", action(admin_views.LotteryCloseView),
                 name="lottery_close"),
            path("inspect/<int:pk>/lottery/value/", action(admin_views.LotteryValueView),
                 name="lottery_value"),
            path("inspect/<int:pk>/lottery/draw/", action(admin_views.LotteryDrawView),
                 name="lottery_draw"),
        ]


class SettlementStatementViewSet(ModelViewSet):
    """Statements are made by 生成结算单 and never edited: no add/edit/delete screens."""

    model = SettlementStatement
    icon = "doc-full"
    menu_label = "结算单"
    index_view_class = admin_views.StatementIndexView
    inspect_view_enabled = True
    inspect_view_class = admin_views.StatementInspectView
    copy_view_enabled = False
    filterset_class = admin_views.StatementFilterSet
    form_fields = []

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            edit_url_name=None, delete_url_name=None, history_url_name=None,
            usage_url_name=None, **kwargs)

    @property
    def url_finder_class(self):
        return type("_StatementURLFinder", (ModelAdminURLFinder,),
                    {"edit_url_name": self.get_url_name("inspect")})

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", admin_views.StatementGenerateView.as_view(), name="add"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("export/", admin_views.statements_export, name="export"),
            path("export/<int:pk>/", admin_views.statement_export, name="export_one"),
        ]


class VouchersGroup(ViewSetGroup):
    menu_label = "消费券"
    menu_icon = "tag"
    menu_order = 400
    items = (
        VoucherCampaignViewSet("voucher_campaigns"),
        OperatorViewSet("voucher_dashboard", menu_label="数据看板", icon="table",
                        view_class=admin_views.DashboardView),
        SettlementStatementViewSet("voucher_statements"),
        OperatorViewSet("voucher_suspicious", menu_label="可疑领取", icon="warning",
                        view_class=admin_views.SuspiciousClaimsView),
    )


@hooks.register("register_admin_viewset")
def register_vouchers():
    return VouchersGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell
    from rongmei.merchants.access import works_for_a_merchant

    cells = [MeCell("我的券包", reverse("vouchers:wallet"), "消费券", order=20)]
    if works_for_a_merchant(request.user):
        cells.append(MeCell("核销消费券", reverse("vouchers:redeem"), "商户", group="work",
                            order=20))
    return cells


@hooks.register("rongmei_merchant_offers")
def merchant_offers(merchant):
    from django.urls import reverse

    from rongmei.merchants.offers import MerchantOffer

    from .selectors import campaigns_usable_at

    return [MerchantOffer("voucher", campaign.pk, campaign.title, campaign.rule_text,
                          reverse("vouchers:campaign", args=[campaign.pk]), action="去领取")
            for campaign in campaigns_usable_at(merchant=merchant)]


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: vouchers claimed and redeemed, and the spending they drove (yuan)."""
    from django.db.models import Count, Sum

    from .models import Voucher, VoucherStatus

    redeemed = Voucher.objects.filter(status=VoucherStatus.REDEEMED,
                                      redeemed_at__date__range=(start, end)).aggregate(
        n=Count("pk"), bills=Sum("bill_amount"), discounts=Sum("discount"))
    claimed = Voucher.objects.filter(claimed_at__date__range=(start, end)).count()
    group = "消费券"
    return [
        {"code": "vouchers_claimed", "label": "领取", "value": claimed, "unit": "张",
         "group": group},
        {"code": "vouchers_redeemed", "label": "核销", "value": redeemed["n"], "unit": "张",
         "group": group},
        {"code": "vouchers_discount_yuan", "label": "抵扣金额",
         "value": round((redeemed["discounts"] or 0) / 100, 2), "unit": "元", "group": group},
        {"code": "vouchers_spending_yuan", "label": "带动消费",
         "value": round((redeemed["bills"] or 0) / 100, 2), "unit": "元", "group": group},
    ]
