"""Console screens for 服务+ that are not model listings: usage and the Excel import.
Operators and administrators only; the import service checks the role again."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import OperatorRequiredMixin
from rongmei.core.errors import ServiceError
from rongmei.core.excel import XLSX, workbook_bytes

from . import selectors, services
from .models import LinkStatus, Service


class OperatorScreen(OperatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]


class UsageView(OperatorScreen):
    template_name = "directory/console/usage.html"
    page_title = "服务使用统计"
    header_icon = "view"

    def get_context_data(self, **kwargs):
        try:
            days = min(max(int(self.request.GET.get("days", 30)), 1), 366)
        except ValueError:
            days = 30
        per_service, per_day = selectors.usage(days)
        context = super().get_context_data(**kwargs)
        context.update(days=days, per_service=per_service, per_day=per_day,
                       broken=Service.objects.filter(link_status=LinkStatus.BROKEN,
                                                     is_active=True).order_by("name"))
        return context


class ImportView(OperatorScreen):
    template_name = "directory/console/import.html"
    page_title = "导入服务事项"
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            data = workbook_bytes("服务事项", services.COLUMNS, services.template_rows())
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = "attachment; filename=services-template.xlsx"
            return response
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        errors = []
        try:
            if upload is None:
                raise ServiceError("required", "请选择要导入的 Excel 文件", field="file")
            if upload.size > 5 * 1024 * 1024:
                raise ServiceError("too_large", "文件不能超过5MB", field="file")
            result = services.import_excel(actor=request.user, data=upload.read())
        except services.ImportRefused as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"导入完成：新增 {result.created} 项，更新 {result.updated} 项")
            return redirect(request.path)
        return self.render_to_response(self.get_context_data(errors=errors))
