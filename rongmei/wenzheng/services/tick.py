"""The periodic job behind ``rongmei wenzheng_tick``: 催办 on the last working day of a
deadline, a breach recorded the moment a deadline passes, 督办 once a deadline is a full
working day overdue, and auto-closing of answered cases the citizen did not rate in time.

Each deadline is handled in its own short transaction under a row lock with conditional
"not yet done" checks, so two overlapping runs never remind or escalate twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from rongmei.core.roles import GRID_LEADER, UNIT_HANDLER

from .. import workdays
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseDeadline,
    CaseState,
    DeadlineStep,
    EventKind,
)
from .common import transition, working_days_for

logger = logging.getLogger("rongmei.wenzheng")

STEP_LABEL = dict(DeadlineStep.choices)


def _responsible_unit(deadline: CaseDeadline):
    if deadline.assignment_id:
        return deadline.assignment.unit, deadline.assignment.role
    lead = (deadline.case.assignments.select_related("unit")
            .filter(role__in=[AssignmentRole.LEAD, AssignmentRole.GRID])
            .exclude(status=AssignmentStatus.RETURNED).order_by("-pk").first())
    return (lead.unit, lead.role) if lead else (None, None)


def _text_unit_staff(unit, role, text: str) -> None:
    """Tell the unit's handlers (or the area's 三长) by SMS, after commit."""
    if unit is None:
        return
    from rongmei.units.models import UnitMembership

    member_role = GRID_LEADER if role == AssignmentRole.GRID else UNIT_HANDLER
    phones = list(UnitMembership.objects.filter(unit=unit, role=member_role,
                                                user__is_active=True)
                  .values_list("user__phone", flat=True))

    def send():
        from rongmei.accounts.services import sms_send
        from rongmei.accounts.sms import SmsSendError

        for phone in phones:
            if not phone:
                continue
            try:
                sms_send(phone=phone, template="notice", params={"text": text})
            except SmsSendError:
                logger.warning("wenzheng reminder SMS failed for unit %s", unit.pk)

    transaction.on_commit(send)


def _handle(deadline_id: int, now) -> str | None:
    with transaction.atomic():
        deadline = (CaseDeadline.objects.select_for_update(of=("self",))
                    .select_related("case", "assignment__unit")
                    .filter(pk=deadline_id, met_at=None, cancelled_at=None).first())
        if deadline is None:
            return None
        case = Case.objects.select_for_update().get(pk=deadline.case_id)
        deadline.case = case
        step = STEP_LABEL[deadline.step]
        unit, role = _responsible_unit(deadline)
        due_local = timezone.localtime(deadline.due_at)
        if now > deadline.due_at:
            if deadline.breached_at is None:
                deadline.breached_at = now
                deadline.save(update_fields=["breached_at"])
                transition(case, to=None, kind=EventKind.BREACHED, unit=unit, public=False,
                           note=f"{step}超期（期限{due_local:%Y-%m-%d}）",
                           data={"deadline": deadline.pk, "step": deadline.step})
                return "breached"
            # 督办 once the first working day after the deadline has ended too.
            if deadline.escalated_at is None and now > workdays.due_after(deadline.due_at, 1):
                deadline.escalated_at = now
                deadline.save(update_fields=["escalated_at"])
                transition(case, to=None, kind=EventKind.ESCALATED, unit=unit, public=False,
                           note=f"{step}超期一个工作日以上，督办",
                           data={"deadline": deadline.pk, "step": deadline.step})
                _text_unit_staff(unit, role, f"【督办】问政{case.receipt_no}“{case.title[:16]}”"
                                             f"{step}已超期，请立即办理。")
                return "escalated"
            return None
        if deadline.reminded_at is None and due_local.date() == timezone.localtime(now).date():
            deadline.reminded_at = now
            deadline.save(update_fields=["reminded_at"])
            transition(case, to=None, kind=EventKind.REMINDED, unit=unit, public=False,
                       note=f"{step}今日到期", data={"deadline": deadline.pk,
                                                   "step": deadline.step})
            _text_unit_staff(unit, role, f"【催办】问政{case.receipt_no}“{case.title[:16]}”"
                                         f"{step}今日到期，请及时办理。")
            return "reminded"
    return None


def _auto_close(now) -> int:
    from .citizen import close_case

    closed = 0
    days = working_days_for(DeadlineStep.CLOSE)
    for case_id, answered_at in Case.objects.filter(state=CaseState.ANSWERED).values_list(
            "pk", "answered_at"):
        if answered_at is None or workdays.due_after(answered_at, days) >= now:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            if case.state != CaseState.ANSWERED:
                continue
            close_case(case, text="答复后逾期未评价，自动办结")
            closed += 1
    return closed


def wenzheng_tick(*, now=None) -> dict[str, int]:
    """Run reminders, breaches, escalations and auto-closing once. Returns counts."""
    now = now or timezone.now()
    counts = {"reminded": 0, "breached": 0, "escalated": 0, "closed": 0}
    horizon = now + timedelta(days=2)  # due within two days: enough to see "due today"
    ids = list(CaseDeadline.objects.filter(met_at=None, cancelled_at=None, escalated_at=None,
                                           due_at__lte=horizon)
               .order_by("due_at").values_list("pk", flat=True))
    for deadline_id in ids:
        outcome = _handle(deadline_id, now)
        if outcome:
            counts[outcome] += 1
    counts["closed"] = _auto_close(now)
    return counts
