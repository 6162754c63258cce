"""Staff console screens of 互动: 评论审核 (filter, highlighted sensitive-word hits, bulk
approve/reject/remove, 官方回复, comment switch per story), 举报处理 and 互动统计.

Shown to editors, chief editors, directors, operators and administrators; every write goes
through ``services``, which checks the role again and writes the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from rongmei.core.errors import ServiceError
from rongmei.units.access import has_role

from . import selectors, services
from .models import ModerationLog, ReportStatus


def is_moderator(user) -> bool:
    return has_role(user, *services.MODERATORS)


def highlight(text: str, words) -> str:
    """``text`` escaped, with each sensitive word wrapped in <mark>."""
    html = escape(text)
    for word in sorted({w for w in words or () if w}, key=len, reverse=True):
        safe = escape(word)
        html = html.replace(safe, f"<mark>{safe}</mark>")
    return mark_safe(html)


def comment_actions(request) -> list[dict]:
    """Buttons other apps add to each comment (``rongmei_comment_actions`` hooks, e.g.
    策划指挥's 转为线索): ``{"label", "url", "name"}``, posted with the comment's id as
    ``name``'s value to ``url``, which checks the role again."""
    from wagtail import hooks

    return [action for hook in hooks.get_hooks("rongmei_comment_actions")
            for action in hook(request)]


class ModeratorScreen(WagtailAdminTemplateMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if not is_moderator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]

    def _int(self, name: str, source=None) -> int | None:
        value = (source if source is not None else self.request.GET).get(name, "")
        return int(value) if str(value).isdecimal() else None


class CommentQueueView(ModeratorScreen):
    template_name = "engage/admin/comments.html"
    page_title = "评论审核"
    header_icon = "comment"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "pending")
        if status not in selectors.QUEUE_FILTERS:
            status = "pending"
        page_id = self._int("page")
        page = Paginator(selectors.moderation_queue(status=status, page_id=page_id), 50) \
            .get_page(self.request.GET.get("p"))
        for comment in page.object_list:
            comment.highlighted = highlight(comment.body, comment.wordgate_hits)
        context = super().get_context_data(**kwargs)
        context.update({
            "status": status, "statuses": selectors.QUEUE_LABELS, "page": page,
            "story": Page.objects.filter(pk=page_id).first() if page_id else None,
            "story_closed": (not services.comments_open(page_id)) if page_id else False,
            "comment_actions": comment_actions(self.request),
        })
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        try:
            if action == "reply":
                services.comment_reply(actor=request.user,
                                       comment_id=self._int("comment", request.POST),
                                       body=request.POST.get("body", ""))
                messages.success(request, "官方回复已发布")
            elif action in ("close", "open"):
                services.comments_set_open(actor=request.user,
                                           page_id=self._int("page", request.POST),
                                           is_open=action == "open")
                messages.success(request, "已开启评论" if action == "open" else "已关闭评论")
            else:
                moved = services.comment_moderate(
                    actor=request.user, comment_ids=request.POST.getlist("comments"),
                    decision=action, reason=request.POST.get("reason", ""))
                messages.success(request, f"已处理{len(moved)}条评论")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())


class ReportsView(ModeratorScreen):
    template_name = "engage/admin/reports.html"
    page_title = "举报处理"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", ReportStatus.OPEN)
        if status not in ReportStatus.values:
            status = ReportStatus.OPEN
        context = super().get_context_data(**kwargs)
        context.update({
            "status": status, "statuses": ReportStatus.choices,
            "page": Paginator(selectors.open_reports(status=status), 50)
            .get_page(self.request.GET.get("p")),
        })
        return context

    def post(self, request, *args, **kwargs):
        try:
            settled = services.report_handle(
                actor=request.user, report_id=self._int("report", request.POST),
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已处理{settled}条举报")
        return redirect(request.get_full_path())


class StatsView(ModeratorScreen):
    template_name = "engage/admin/stats.html"
    page_title = "互动统计"
    header_icon = "table"

    def get_context_data(self, **kwargs):
        order = self.request.GET.get("order", "-reads")
        context = super().get_context_data(**kwargs)
        context.update({
            "order": order, "rows": selectors.story_stats(order=order),
            "orders": (("-reads", "阅读"), ("-likes", "点赞"), ("-comments", "评论"),
                       ("-shares", "分享"), ("-favourites", "收藏")),
            "log": ModerationLog.objects.select_related("actor", "page")[:50],
        })
        return context
