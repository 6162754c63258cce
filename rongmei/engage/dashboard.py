"""互动 on the console home (rongmei.core.dashboard): comments and reports waiting."""

from __future__ import annotations

from django.urls import reverse

from rongmei.core.dashboard import WorkItem, add_work

from .admin_views import is_moderator
from .models import Comment, CommentStatus, Report, ReportStatus


def add_panel(request, panels) -> None:
    if not is_moderator(request.user):
        return
    add_work(panels, request, group="互动", order=30, items=[
        WorkItem("待审评论", Comment.objects.filter(status=CommentStatus.PENDING).count(),
                 reverse("engage_comments:index")),
        WorkItem("待处理举报", Report.objects.filter(status=ReportStatus.OPEN).count(), reverse("engage_reports:index")),
    ])
