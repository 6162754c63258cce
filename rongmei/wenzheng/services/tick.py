"""The periodic job behind ``rongmei wenzheng_tick``: 催办 on the last working day of a
deadline, a breach recorded the moment a deadline passes, 督办 once a deadline is a full
working day overdue, 补充超时 for citizens who did not add the information asked for,
auto-closing of answered cases the citizen did not rate in time, and — from 1 November — a
待办 for operators when next year's 节假日安排 is missing.

Who hears: the unit holding the case (its handlers or 三长, by 待办 and SMS), the newsroom
for the review step and for cases no unit holds, 总编辑 for 督办 of the newsroom's own
step, the citizen for their own deadline. Each deadline is handled in its own short
transaction under a row lock with conditional "not yet done" checks, so two overlapping
runs never remind or escalate twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import workdays
from ..models import (
    AssignmentRole,
    Case,
    CaseDeadline,
    CaseState,
    DeadlineStep,
    EventKind,
)
from . import notify
from .common import LIVE, transition, working_days_for

logger = logging.getLogger("rongmei.wenzheng")

STEP_LABEL = dict(DeadlineStep.choices)


def _holder(deadline: CaseDeadline):
    """The assignment answerable for ``deadline``: its own, else the case's live lead."""
    if deadline.assignment_id:
        return deadline.assignment
    return (deadline.case.assignments.select_related("unit")
            .filter(role__in=[AssignmentRole.LEAD, AssignmentRole.GRID], status__in=LIVE)
            .order_by("-pk").first())


def _tell(deadline: CaseDeadline, holder, *, what: str, kind: str, title: str,
          sms: bool) -> None:
    """Reach whoever must act on ``deadline`` now."""
    case = deadline.case
    key = notify.deadline_key(deadline.pk)
    step = STEP_LABEL[deadline.step]
    body = f"“{case.title[:20]}”{step}{what}"
    if deadline.step == DeadlineStep.REVIEW or holder is None:
        people = notify.supervisors() if kind == notify.ESCALATE else None
        screen = "wenzheng_triage" if deadline.step == DeadlineStep.REVIEW else "wenzheng_cases"
        notify.newsroom(case=case, kind=kind, title=title, body=body, key=key, people=people,
                        link=notify.console_link(screen, None if screen == "wenzheng_triage"
                                                 else case))
        return
    notify.unit(holder, kind=kind, title=title, body=body, key=key,
                sms_params={"receipt": case.receipt_no, "step": step} if sms else None)
    if kind == notify.ESCALATE:  # the centre supervises: it hears of every 督办
        notify.newsroom(case=case,
                        kind=notify.UPDATE, title=f"{title}（{holder.unit.name}）", body=body,
                        link=notify.console_link("wenzheng_cases", case))


def _citizen_deadline(deadline: CaseDeadline, case: Case, now) -> str | None:
    """待补充: remind the citizen on the last day; close the case as 补充超时 after it."""
    if case.state != CaseState.NEEDS_INFO:
        deadline.cancelled_at = now
        deadline.save(update_fields=["cancelled_at"])
        return None
    if now > deadline.due_at:
        deadline.breached_at = deadline.cancelled_at = now
        deadline.save(update_fields=["breached_at", "cancelled_at"])
        case.closed_at = now
        case.save(update_fields=["closed_at"])
        transition(case, to=CaseState.INFO_TIMEOUT, kind=EventKind.INFO_TIMEOUT,
                   public_text="未在期限内补充信息，本次问政已结束，如有需要可重新提交")
        return "info_timeout"
    if deadline.reminded_at is None and (timezone.localtime(deadline.due_at).date()
                                         == timezone.localtime(now).date()):
        deadline.reminded_at = now
        deadline.save(update_fields=["reminded_at"])
        transition(case, to=None, kind=EventKind.REMINDED, public=False,
                   note="提醒群众今日补充信息", tell_citizen=False)
        notify.citizen(case, status="需要您今天补充信息", detail=case.info_request,
                       phone=_phone(case))
        return "reminded"
    return None


def _phone(case: Case) -> str:
    from .common import contact_phone

    return contact_phone(case)


def _handle(deadline_id: int, now) -> str | None:
    with transaction.atomic():
        deadline = (CaseDeadline.objects.select_for_update(of=("self",))
                    .select_related("case", "assignment__unit")
                    .filter(pk=deadline_id, met_at=None, cancelled_at=None).first())
        if deadline is None:
            return None
        case = Case.objects.select_for_update().get(pk=deadline.case_id)
        deadline.case = case
        if deadline.step == DeadlineStep.INFO:
            return _citizen_deadline(deadline, case, now)
        step = STEP_LABEL[deadline.step]
        holder = _holder(deadline)
        unit = holder.unit if holder else None
        due_local = timezone.localtime(deadline.due_at)
        if now > deadline.due_at:
            if deadline.breached_at is None:
                deadline.breached_at = now
                deadline.save(update_fields=["breached_at"])
                transition(case, to=None, kind=EventKind.BREACHED, unit=unit, public=False,
                           note=f"{step}超期（期限{due_local:%Y-%m-%d}）",
                           data={"deadline": deadline.pk, "step": deadline.step})
                _tell(deadline, holder, what=f"已超期（期限{due_local:%Y-%m-%d}）",
                      kind=notify.OVERDUE, title=f"【超期】问政{case.receipt_no}{step}已超期",
                      sms=False)
                return "breached"
            # 督办 once the first working day after the deadline has ended too.
            if deadline.escalated_at is None and now > workdays.due_after(deadline.due_at, 1):
                deadline.escalated_at = now
                deadline.save(update_fields=["escalated_at"])
                transition(case, to=None, kind=EventKind.ESCALATED, unit=unit, public=False,
                           note=f"{step}超期一个工作日以上，督办",
                           data={"deadline": deadline.pk, "step": deadline.step})
                _tell(deadline, holder, what="已超期，请立即办理", kind=notify.ESCALATE,
                      title=f"【督办】问政{case.receipt_no}{step}已超期", sms=True)
                return "escalated"
            return None
        if deadline.reminded_at is None and due_local.date() == timezone.localtime(now).date():
            deadline.reminded_at = now
            deadline.save(update_fields=["reminded_at"])
            transition(case, to=None, kind=EventKind.REMINDED, unit=unit, public=False,
                       note=f"{step}今日到期", data={"deadline": deadline.pk,
                                                   "step": deadline.step})
            _tell(deadline, holder, what="今日到期，请及时办理", kind=notify.URGE,
                  title=f"【催办】问政{case.receipt_no}{step}今日到期", sms=True)
            return "reminded"
    return None


def _auto_close(now) -> int:
    from .citizen import close_case

    closed = 0
    days = working_days_for(DeadlineStep.CLOSE)
    calendar = workdays.current()
    for case_id, answered_at in Case.objects.filter(state=CaseState.ANSWERED).values_list(
            "pk", "answered_at"):
        if answered_at is None or calendar.due_after(answered_at, days) >= now:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            if case.state != CaseState.ANSWERED:
                continue
            close_case(case, text="答复后逾期未评价，自动办结")
            closed += 1
    return closed


def _calendar_warnings(now) -> int:
    """From 1 November: one 待办 for operators per missing year's 节假日安排 (closed when
    it is entered)."""
    from rongmei.notices.models import Notice

    sent = 0
    for year in workdays.missing_years(timezone.localtime(now).date()):
        key = notify.calendar_key(year)
        if Notice.objects.filter(todo_key=key).exists():
            continue
        notify.newsroom(kind=notify.CALENDAR, title=f"请录入{year}年节假日安排",
                        body="国务院办公厅发布放假安排后，请在“问政 → 节假日安排”录入或导入；"
                             "未录入时问政期限按周一至周五计算，会落在节假日里。",
                        link=notify.console_link("wenzheng_holidays"), key=key,
                        people=notify.operator_people())
        sent += 1
    return sent


def wenzheng_tick(*, now=None) -> dict[str, int]:
    """Run reminders, breaches, escalations, 补充超时 and auto-closing once. Returns counts."""
    now = now or timezone.now()
    counts = {"reminded": 0, "breached": 0, "escalated": 0, "info_timeout": 0, "closed": 0,
              "calendar": 0}
    horizon = now + timedelta(days=2)  # due within two days: enough to see "due today"
    ids = list(CaseDeadline.objects.filter(met_at=None, cancelled_at=None, escalated_at=None,
                                           due_at__lte=horizon)
               .order_by("due_at").values_list("pk", flat=True))
    for deadline_id in ids:
        outcome = _handle(deadline_id, now)
        if outcome:
            counts[outcome] += 1
    counts["closed"] = _auto_close(now)
    counts["calendar"] = _calendar_warnings(now)
    return counts
