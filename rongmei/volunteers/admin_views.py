"""志愿者之家 in the staff console: importing the roster (teams and volunteers) from Excel."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.units.access import has_role

from . import services


class RosterImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


def import_roster_view(request):
    if not has_role(request.user, OPERATOR):
        messages.error(request, "只有运营人员可以导入志愿者名册")
        return redirect("wagtailadmin_home")
    form = RosterImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.import_roster(actor=request.user,
                                            data=form.cleaned_data["file"].read())
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok:
                messages.success(request, f"导入完成：新建队伍 {report.teams} 支，"
                                          f"新注册志愿者 {report.volunteers} 人")
                return redirect("volunteers_import")
    return TemplateResponse(request, "volunteers/console/import.html", {
        "form": form, "report": report, "page_title": "导入志愿者名册",
        "header_title": "导入志愿者名册", "columns": services.IMPORT_COLUMNS})


def showcase_review_view(request):
    """活动风采 waiting for review: publish or turn down (with a reason)."""
    from .models import ShowcasePost

    if not has_role(request.user, OPERATOR):
        messages.error(request, "只有运营人员可以审核活动风采")
        return redirect("wagtailadmin_home")
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            services.post_review(actor=request.user, post_id=int(request.POST.get("post", 0)),
                                 approve=approve, note=request.POST.get("note", ""))
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "参数错误"))
        else:
            messages.success(request, "已发布" if approve else "已退回")
        return redirect("volunteers_showcase")
    return TemplateResponse(request, "volunteers/console/showcase.html", {
        "page_title": "活动风采审核", "header_title": "活动风采审核",
        "posts": ShowcasePost.objects.filter(status="pending")
        .select_related("activity", "activity__team")[:100]})
