"""稿件 on the console home (rongmei.core.dashboard): for reviewers, the stories waiting at
their step of 三审; for writers, their drafts, their stories in review and those sent back.
Wagtail's own lists further down the same page carry the buttons (审核通过、退回修改)."""

from __future__ import annotations

from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from rongmei.core.dashboard import WorkItem, add_work
from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR
from rongmei.units.access import has_role

from . import admin_views

REVIEWERS = (EDITOR, CHIEF_EDITOR, DIRECTOR)


def add_panel(request, panels) -> None:
    user = request.user
    items = []
    if has_role(user, *REVIEWERS) or TaskState.objects.reviewable_by(user).exists():
        items.append(WorkItem("待我审核的稿件", TaskState.objects.reviewable_by(user).count(),
                              "#awaiting-review-section"))
    if admin_views.user_can_write(user):
        mine = WorkflowState.objects.filter(requested_by=user)
        items += [
            WorkItem("我的草稿", Page.objects.filter(owner=user, live=False).count(),
                     reverse("wagtailadmin_pages:search")),
            WorkItem("审核中", mine.filter(status=WorkflowState.STATUS_IN_PROGRESS).count(),
                     "#objects-in-workflow-section"),
            WorkItem("退回修改", mine.filter(status=WorkflowState.STATUS_NEEDS_CHANGES).count(),
                     "#objects-in-workflow-section", urgent=True),
        ]
    add_work(panels, request, group="稿件", items=items, order=10)
