"""问政 on the console home (rongmei.core.dashboard): what waits for the newsroom's 问政
desk — cases to triage, to dispatch, texts to review — and the deadlines that fall today;
for 宣传部, the 内参 to answer with a 转办告知单 and the notices in hand or overdue."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from rongmei.core.dashboard import WorkItem, add_work
from rongmei.core.roles import PROPAGANDA
from rongmei.units.access import has_role

from .admin_views import NEWSROOM
from .models import (
    Briefing,
    Case,
    CaseDeadline,
    CaseReply,
    CaseState,
    DocumentStatus,
    ReplyStatus,
    RequestStatus,
    UnitRequest,
)
from .review import ProgressNote, ReviewStatus


def _today_bounds():
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    return start, start + timedelta(days=1)


def work_items() -> list[WorkItem]:
    start, end = _today_bounds()
    open_deadlines = CaseDeadline.objects.filter(met_at=None, cancelled_at=None)
    return [
        WorkItem("待分拣问政", Case.objects.filter(
            state__in=[CaseState.SUBMITTED, CaseState.NEEDS_INFO]).count(),
            reverse("wenzheng_triage:index")),
        WorkItem("待转办", Case.objects.filter(state=CaseState.ACCEPTED).count()
                 + UnitRequest.objects.filter(status=RequestStatus.PENDING).count(),
                 reverse("wenzheng_dispatch:index"), hint="含退单、延期申请"),
        WorkItem("答复与进展待审", CaseReply.objects.filter(status=ReplyStatus.PENDING).count()
                 + ProgressNote.objects.filter(status=ReviewStatus.PENDING).count(),
                 reverse("wenzheng_replies:index")),
        WorkItem("今日到期", open_deadlines.filter(due_at__gte=start, due_at__lt=end).count(),
                 reverse("wenzheng_cases:index"), urgent=True),
        WorkItem("已超期", open_deadlines.filter(due_at__lt=start).count(),
                 reverse("wenzheng_cases:index"), urgent=True),
    ]


def propaganda_items() -> list[WorkItem]:
    """宣传部's own work on track ③: 内参 報送 waiting for a 转办告知单, the notices still being
    handled, and those past their deadline (督办)."""
    start, _end = _today_bounds()
    briefings = reverse("wenzheng_briefings:index")
    handling = Case.objects.filter(notice__isnull=False).exclude(state=CaseState.CLOSED)
    overdue = CaseDeadline.objects.filter(met_at=None, cancelled_at=None, due_at__lt=start,
                                          case__notice__isnull=False)
    return [
        WorkItem("待下发转办告知单", Briefing.objects.filter(
            status=DocumentStatus.SUBMITTED, case__state=CaseState.BRIEFING).count(), briefings),
        WorkItem("告知单办理中", handling.count(), briefings),
        WorkItem("告知单已超期", overdue.values("case").distinct().count(),
                 reverse("wenzheng_cases:index"), urgent=True, hint="可督办"),
    ]


def add_panel(request, panels) -> None:
    if has_role(request.user, *NEWSROOM):
        add_work(panels, request, group="问政", items=work_items(), order=20)
    if has_role(request.user, PROPAGANDA):
        add_work(panels, request, group="舆情内参与转办告知单", items=propaganda_items(),
                 order=21)
