"""节假日安排 in the console: each year's holidays and make-up working days, where they
come from, entry by hand or from Excel (and the sheet back out), and the warning, from
1 November, that next year's schedule is missing."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from wagtail.admin.ui.components import Component

from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX, workbook_bytes
from rongmei.units.access import has_role

from . import workdays
from .admin_views import Screen
from .holidays import DayKind, HolidayDay, HolidaySchedule
from .services import calendar

SOURCES = {"entered": "已录入", "package": "内置日历",
           "weekdays": "未录入：按周一至周五计算"}


class HolidaysView(Screen):
    template_name = "wenzheng/admin/holidays.html"
    page_title = "节假日安排"
    header_icon = "date"

    def _year(self) -> int:
        value = self.request.GET.get("year", "")
        today = timezone.localdate()
        year = int(value) if value.isdecimal() else (today.year + 1 if today.month >= 11
                                                  else today.year)
        return min(max(year, calendar.MIN_YEAR), calendar.MAX_YEAR)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            year = self._year()
            rows = [(f"{d.day:%Y-%m-%d}", d.get_kind_display(), d.name)
                    for d in HolidayDay.objects.filter(day__year=year)]
            response = HttpResponse(workbook_bytes(f"{year}年节假日安排", calendar.COLUMNS, rows),
                                    content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="holidays-{year}.xlsx"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, today = self._year(), timezone.localdate()
        current = workdays.current()
        entered = {s.year: s for s in HolidaySchedule.objects.select_related("updated_by")
                   .annotate(day_count=Count("days")).filter(day_count__gt=0)}
        years = sorted(set(entered) | {today.year - 1, today.year, today.year + 1, year})
        context.update({
            "year": year, "missing": workdays.missing_years(today),
            "years": [{"year": y, "source": SOURCES[current.source(y)],
                       "entered": entered.get(y)} for y in years],
            "year_entered": year in entered,
            "days": HolidayDay.objects.filter(day__year=year),
            "kinds": DayKind.choices, "columns": "、".join(calendar.COLUMNS),
        })
        return context

    def post(self, request, *args, **kwargs):
        data, user = request.POST, request.user
        action = data.get("action")
        try:
            if action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ServiceError("required", "请选择 Excel 文件", field="file")
                result = calendar.holiday_import(actor=user, data=upload.read())
                messages.success(request, f"已导入{'、'.join(map(str, result['years']))}年"
                                          f"节假日安排，共{result['days']}天；"
                                          f"顺延了{result['moved']}个办理期限")
            elif action == "add":
                calendar.holiday_day_save(actor=user, day=data.get("day", ""),
                                          kind=data.get("kind", ""), name=data.get("name", ""))
                messages.success(request, "已保存")
            elif action == "delete":
                calendar.holiday_day_delete(actor=user, day_id=data.get("entry"))
                messages.success(request, "已删除")
            elif action == "reset":
                removed = calendar.holiday_year_reset(actor=user, year=data.get("year"))
                messages.success(request, f"已清除{data.get('year')}年录入的{removed}天，"
                                          "该年恢复为内置日历（内置日历没有该年时按未录入处理）")
            else:
                messages.error(request, "操作无效")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())


class CalendarWarningPanel(Component):
    """From 1 November (and whenever the current year lacks one): enter the schedule."""

    name = "wenzheng_calendar_warning"
    order = 30

    def __init__(self, request, missing):
        self.request, self.missing = request, missing

    def render_html(self, parent_context=None):
        from django.urls import reverse

        years = format_html_join("、", "{}年", ((y,) for y in self.missing))
        return format_html(
            '<section class="panel help-block help-warning" role="alert" '
            'data-testid="calendar-warning"><h2 class="w-panel__heading">节假日安排尚未录入</h2>'
            '<p>{}的放假和调休安排还没有录入，问政办理期限会按周一至周五计算，'
            '可能落在节假日里。请在<a href="{}">问政 → 节假日安排</a>录入或导入。</p></section>',
            years, reverse("wenzheng_holidays:index"))


def calendar_warning_panel(request, roles):
    if not has_role(request.user, *roles):
        return None
    missing = workdays.missing_years(timezone.localdate())
    return CalendarWarningPanel(request, missing) if missing else None
