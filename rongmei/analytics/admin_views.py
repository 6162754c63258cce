"""Console screens of 数据: the director's dashboard, 渠道码, the county-app index with the
provincial report, and the 大屏.

Every screen asks ``rongmei.units.access`` first: reading is for 总编辑, 运营 and 管理员
(``services.READERS``); making 渠道码, importing reports and registering counties for 运营 and
管理员 (``services.MANAGERS``, checked again by the services).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.codes import qr_svg
from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX, workbook_bytes
from rongmei.units.access import has_role, unit_scope

from . import dashboard, reports, selectors, services
from . import index as county_index
from .models import CampaignKind, ProvincialReport


class AnalyticsScreen(WagtailAdminTemplateMixin, TemplateView):
    roles = services.READERS

    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, *self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]

    def period(self) -> selectors.Period:
        return selectors.Period.parse(self.request.GET.get("start"), self.request.GET.get("end"))

    def can_manage(self) -> bool:
        return has_role(self.request.user, *services.MANAGERS)


def xlsx_response(table: dashboard.DataTable, period: selectors.Period) -> HttpResponse:
    data = workbook_bytes(table.title[:31], tuple(table.columns), table.rows,
                          preamble=[(table.title,), ("统计期间", f"{period.start} 至 {period.end}")])
    response = HttpResponse(data, content_type=XLSX)
    filename = f"{table.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DashboardView(AnalyticsScreen):
    template_name = "analytics/admin/dashboard.html"
    page_title = "数据看板"
    header_icon = "table"

    def get(self, request, *args, **kwargs):
        self.board = dashboard.build(self.period())
        wanted = request.GET.get("export")
        if wanted:
            table = self.board.table(wanted)
            if table is None:
                messages.error(request, "没有这张表")
                return redirect("analytics_dashboard:index")
            return xlsx_response(table, self.board.period)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        board = self.board
        context.update({"board": board, "period": board.period, "users": board.users,
                        "chart_data": board.chart_data,
                        "mau_share": dashboard.percent(board.users.mau_share)})
        return context


class ChannelCodeForm(forms.Form):
    code = forms.CharField(label="渠道码", max_length=32,
                           help_text="字母、数字、下划线或短横线，如 JG-2026-01；印在二维码链接里")
    name = forms.CharField(label="名称", max_length=60, help_text="如：进机关·县委办公室")
    kind = forms.ChoiceField(label="推广类型", choices=CampaignKind.choices)
    unit = forms.ModelChoiceField(label="单位", required=False, queryset=None)
    event_day = forms.DateField(label="活动日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from rongmei.core.roles import OPERATOR

        self.fields["unit"].queryset = unit_scope(user, OPERATOR).order_by("path")


class ChannelCodesView(AnalyticsScreen):
    template_name = "analytics/admin/channel_codes.html"
    page_title = "渠道码"
    header_icon = "link"

    def post(self, request, *args, **kwargs):
        if not self.can_manage():
            raise PermissionDenied
        form = ChannelCodeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                item = services.channel_code_create(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"已创建渠道码 {item.code}")
                return redirect("analytics_codes:index")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period()
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        rows = selectors.channel_code_rows(period)
        for row in rows:
            row.link = f"{base}{reverse('analytics:channel', args=[row.code.code])}"
            row.qr = qr_svg(row.link)
        context.update({"rows": rows, "period": period, "can_manage": self.can_manage(),
                        "form": form or ChannelCodeForm(user=self.request.user)})
        return context


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        return date.fromisoformat(f"{value}-01") if value else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


class CountyForm(forms.Form):
    code = forms.CharField(label="行政区划代码", max_length=12)
    name = forms.CharField(label="县名", max_length=40)
    public_key = forms.CharField(label="公钥（Base64）", max_length=64)


class ReportImportForm(forms.Form):
    file = forms.FileField(label="月度报告（.json）")


class IndexView(AnalyticsScreen):
    template_name = "analytics/admin/index.html"
    page_title = "县融指数与排行"
    header_icon = "pick"

    def get(self, request, *args, **kwargs):
        if request.GET.get("download") == "report":
            month = _month(request.GET.get("month"))
            document = reports.sign(reports.build(month))
            response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                                    content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="rongmei-report-{month:%Y-%m}.json"')
            return response
        wanted = request.GET.get("export")
        if wanted in ("inputs", "ranking"):
            month = _month(request.GET.get("month"))
            return xlsx_response(index_table(wanted, month), selectors.Period.month(month))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.can_manage():
            raise PermissionDenied
        import_form = county_form = None
        try:
            if "file" in request.FILES:
                import_form = ReportImportForm(request.POST, request.FILES)
                if import_form.is_valid():
                    upload = import_form.cleaned_data["file"]
                    item = reports.report_import(actor=request.user,
                                                 data=upload.read(reports.MAX_REPORT_BYTES + 1))
                    messages.success(request, f"已导入并验证 {item.county.name} "
                                              f"{item.month:%Y年%-m月} 的报告")
                    return redirect(f"{reverse('analytics_index:index')}?month={item.month:%Y-%m}")
            else:
                county_form = CountyForm(request.POST)
                if county_form.is_valid():
                    county = reports.county_register(actor=request.user,
                                                     **county_form.cleaned_data)
                    messages.success(request, f"已登记报送县 {county.name}")
                    return redirect("analytics_index:index")
        except ServiceError as exc:
            form = import_form or county_form
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return self.render_to_response(self.get_context_data(import_form=import_form,
                                                             county_form=county_form))

    def get_context_data(self, import_form=None, county_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month(self.request.GET.get("month"))
        period = selectors.Period.month(month)
        yesterday = timezone.localdate() - timedelta(days=1)
        day = selectors.Period(yesterday, yesterday)
        monthly = county_index.compute(selectors.county_measures(period), days=period.days)
        daily = county_index.compute(selectors.county_measures(day), days=1)
        context.update({
            "month": month, "monthly": monthly, "daily": daily, "yesterday": yesterday,
            "ranking": selectors.ranking(month), "counties": selectors.reporting_counties(),
            "reports": ProvincialReport.objects.filter(month=month).select_related("county"),
            "public_key": reports.public_key_b64(), "can_manage": self.can_manage(),
            "import_form": import_form or ReportImportForm(),
            "county_form": county_form or CountyForm(),
            "chart_data": {"labels": [b.label for b in monthly.blocks],
                           "scores": [round(b.score, 1) for b in monthly.blocks]},
        })
        return context


def index_table(which: str, month: date) -> dashboard.DataTable:
    """The index page's two tables, for their Excel export."""
    period = selectors.Period.month(month)
    if which == "inputs":
        result = county_index.compute(selectors.county_measures(period), days=period.days)
        return dashboard.DataTable(
            "index-inputs", f"{month:%Y年%m月}县融指数输入与得分",
            ["分指数", "权重", "分指数得分", "指标", "数值", "单位", "参考值", "得分"],
            [[b.label, round(b.weight, 4), round(b.score, 2), i.label, i.value, i.unit,
              round(i.ref, 2), round(i.score, 2)] for b in result.blocks for i in b.inputs])
    rows = selectors.ranking(month)
    labels = [b.label for b in rows[0].blocks] if rows else []
    return dashboard.DataTable(
        "index-ranking", f"{month:%Y年%m月}县融指数排行", ["名次", "县", "行政区划代码",
                                                      "县融指数", *labels],
        [[n, r.name, r.code, round(r.total, 2), *(round(b.score, 2) for b in r.blocks)]
         for n, r in enumerate(rows, start=1)])


def screen_payload() -> dict:
    """What the 大屏 shows: today so far, the last 30 days, the month's index."""
    today = timezone.localdate()
    period = selectors.Period(today - timedelta(days=29), today)
    users = selectors.user_summary(period)
    todays = selectors.Period(today, today)
    stories = selectors.top_stories(todays, limit=8)
    channels = selectors.views_by_channel(todays)[:8]
    codes = [r for r in selectors.channel_code_rows(todays) if r.new_devices or
             r.active_devices][:8]
    month = selectors.Period.month(today)
    result = county_index.compute(selectors.county_measures(month), days=month.days)
    return {
        "updated": timezone.localtime().strftime("%H:%M:%S"),
        "kpis": [
            {"label": "今日活跃", "value": users.dau}, {"label": "今日新增", "value":
                                                    users.series[-1]["new"]},
            {"label": "近7日活跃", "value": users.wau}, {"label": "近30日活跃", "value": users.mau},
            {"label": "累计设备", "value": users.devices},
            {"label": "注册用户", "value": users.accounts},
            {"label": "本月县融指数", "value": round(result.total, 1)},
        ],
        "days": [r["day"].strftime("%m-%d") for r in users.series],
        "dau": [r["dau"] for r in users.series],
        "new": [r["new"] for r in users.series],
        "series": [{"day": r["day"].strftime("%m-%d"), "dau": r["dau"], "new": r["new"]}
                   for r in users.series],
        "stories": [{"title": s["title"], "views": s["views"]} for s in stories],
        "channels": [{"label": c["channel"], "views": c["views"]} for c in channels],
        "codes": [{"label": r.code.name, "new": r.new_devices, "active": r.active_devices}
                  for r in codes],
        "blocks": [{"label": b.label, "score": round(b.score, 1)} for b in result.blocks],
    }


class ScreenView(AnalyticsScreen):
    """The wall display: its own full-screen page (no console chrome), refreshed by its
    script every minute from ``?format=json`` (and by a meta refresh without script)."""

    template_name = "analytics/screen.html"
    page_title = "融媒大屏"
    refresh_seconds = 60

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "json":
            return JsonResponse(screen_payload())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"data": screen_payload(), "refresh_seconds": self.refresh_seconds,
                        "county_name": settings.RONGMEI_COUNTY_NAME})
        return context
