"""Console screens for 民生信息: the review queue (先审后发 posts and those the word gate
flagged) and the 举报 queue. Operators only; the services check the role again."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import OperatorRequiredMixin
from rongmei.core.errors import ServiceError

from . import selectors, services
from .models import Post, Report


class OperatorScreen(OperatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ReviewView(OperatorScreen):
    template_name = "classifieds/console/review.html"
    page_title = "信息审核"
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "posts": selectors.review_queue()[:100]}

    def post(self, request, *args, **kwargs):
        post = Post.objects.select_related("category").filter(
            pk=_pk(request.POST.get("post"))).first()
        try:
            if post is None:
                raise ServiceError("not_found", "信息不存在")
            decision = request.POST.get("decision")
            # The version the operator read: a change since then is refused, not approved.
            services.post_review(actor=request.user, post=post, approve=decision == "approve",
                                 note=request.POST.get("note", ""),
                                 version=request.POST.get("version", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"“{post.title}”{post.get_status_display()}")
        return redirect(request.path)


class ReportsView(OperatorScreen):
    template_name = "classifieds/console/reports.html"
    page_title = "信息举报"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reports": selectors.report_queue()[:100]}

    def post(self, request, *args, **kwargs):
        report = Report.objects.select_related("post").filter(
            pk=_pk(request.POST.get("report"))).first()
        try:
            if report is None:
                raise ServiceError("not_found", "举报不存在")
            remove = request.POST.get("decision") == "remove"
            services.report_handle(actor=request.user, report=report, remove=remove,
                                   note=request.POST.get("note", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已下架该信息" if remove else "已标记为不予处理")
        return redirect(request.path)
