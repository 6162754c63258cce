"""The unit workspace (责任单位办理员 and 三长): 签收, contact log, progress notes, 退单 and
延期 requests, and the reply draft. Nothing a unit writes is public until the newsroom
approves it (先审后发): replies and progress notes meant for the public wait for review."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError

from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseReply,
    CaseState,
    DeadlineStep,
    EventKind,
    ProgressNote,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    UnitRequest,
)
from . import notify
from .common import check_state, clean_text, deadline_meet, staff_assignment, transition

CONTACT_METHODS = {"phone": "电话", "visit": "上门", "sms": "短信", "meeting": "约谈"}
MAX_EXTENSION_DAYS = 15


def _locked(actor, assignment_id):
    assignment = staff_assignment(actor, assignment_id)
    case = Case.objects.select_for_update().get(pk=assignment.case_id)
    assignment.case = case
    return assignment, case


@transaction.atomic
def assignment_acknowledge(*, actor, assignment_id):
    assignment, case = _locked(actor, assignment_id)
    if assignment.status != AssignmentStatus.DISPATCHED:
        raise ServiceError("already_acknowledged", "已签收", status=409)
    now = timezone.now()
    assignment.status, assignment.acknowledged_at, assignment.acknowledged_by = (
        AssignmentStatus.ACKNOWLEDGED, now, actor)
    assignment.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    deadline_meet(case, DeadlineStep.ACKNOWLEDGE, assignment=assignment, when=now)
    to = CaseState.IN_PROGRESS if (case.state == CaseState.DISPATCHED and
                                   assignment.role != AssignmentRole.ASSIST) else None
    transition(case, to=to, kind=EventKind.ACKNOWLEDGED, actor=actor, unit=assignment.unit,
               public=to is not None, public_text=f"{assignment.unit.name}已签收")
    notify.resolve(notify.assignment_key(assignment.pk))
    return assignment


def _require_acknowledged(assignment) -> None:
    if assignment.status != AssignmentStatus.ACKNOWLEDGED:
        raise ServiceError("not_acknowledged", "请先签收", status=409)


@transaction.atomic
def contact_log(*, actor, assignment_id, method: str, note: str):
    assignment, case = _locked(actor, assignment_id)
    _require_acknowledged(assignment)
    if method not in CONTACT_METHODS:
        raise ServiceError("invalid", "请选择联系方式", field="method")
    note = clean_text(note, field="note", label="联系情况", max_length=500, scan=False)
    if assignment.contacted_at is None:
        assignment.contacted_at = timezone.now()
        assignment.save(update_fields=["contacted_at"])
    return transition(case, to=None, kind=EventKind.CONTACTED, actor=actor,
                      unit=assignment.unit, note=note, data={"method": method},
                      public=True, public_text=f"{assignment.unit.name}已{CONTACT_METHODS[method]}联系反映人")


@transaction.atomic
def progress_note(*, actor, assignment_id, note: str, public: bool = False):
    """Record progress. With ``public`` the note also waits for the newsroom's review
    (``newsroom.progress_review``) before it appears on the public timeline."""
    assignment, case = _locked(actor, assignment_id)
    _require_acknowledged(assignment)
    note = clean_text(note, field="note", label="办理进展", max_length=500, scan=bool(public))
    event = transition(case, to=None, kind=EventKind.PROGRESS, actor=actor,
                       unit=assignment.unit, note=note, public=False,
                       data={"wants_public": bool(public)})
    if public:
        pending = ProgressNote.objects.create(case=case, assignment=assignment, text=note,
                                              author=actor)
        notify.newsroom(case=case, kind=notify.REVIEW,
                        title=f"问政{case.receipt_no}有办理进展待审核公开",
                        body=f"{assignment.unit.name}：{note[:100]}",
                        link=notify.console_link("wenzheng_replies"),
                        key=f"wz:progress:{pending.pk}")
    return event


def _open_request(assignment, kind) -> None:
    if UnitRequest.objects.filter(assignment=assignment, kind=kind,
                                  status=RequestStatus.PENDING).exists():
        raise ServiceError("request_pending", "已有待审核的申请", status=409)


@transaction.atomic
def return_request(*, actor, assignment_id, reason: str) -> UnitRequest:
    """退单: "this is not ours" — the newsroom decides."""
    assignment, case = _locked(actor, assignment_id)
    if case.state in (CaseState.ANSWERED, CaseState.CLOSED, CaseState.REPLY_REVIEW):
        raise ServiceError("wrong_state", "当前状态不能退单", status=409)
    reason = clean_text(reason, field="reason", label="退单理由", max_length=300, scan=False)
    _open_request(assignment, RequestKind.RETURN)
    req = UnitRequest.objects.create(assignment=assignment, kind=RequestKind.RETURN,
                                     reason=reason, requested_by=actor)
    transition(case, to=None, kind=EventKind.RETURN_REQUESTED, actor=actor,
               unit=assignment.unit, note=reason, public=False)
    _ask_newsroom(case, assignment, req)
    return req


def _ask_newsroom(case, assignment, req) -> None:
    notify.newsroom(case=case, kind=notify.REVIEW,
                    title=f"{assignment.unit.name}申请{req.get_kind_display()}：问政{case.receipt_no}",
                    body=req.reason[:120], link=notify.console_link("wenzheng_dispatch"),
                    key=f"wz:request:{req.pk}")


@transaction.atomic
def extension_request(*, actor, assignment_id, days, reason: str) -> UnitRequest:
    assignment, case = _locked(actor, assignment_id)
    _require_acknowledged(assignment)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ServiceError("invalid", "请填写延期的工作日数", field="days") from None
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ServiceError("invalid", f"延期应为1至{MAX_EXTENSION_DAYS}个工作日", field="days")
    reason = clean_text(reason, field="reason", label="延期理由", max_length=300, scan=False)
    _open_request(assignment, RequestKind.EXTENSION)
    req = UnitRequest.objects.create(assignment=assignment, kind=RequestKind.EXTENSION,
                                     reason=reason, days=days, requested_by=actor)
    transition(case, to=None, kind=EventKind.EXTENSION_REQUESTED, actor=actor,
               unit=assignment.unit, note=reason, data={"days": days}, public=False)
    _ask_newsroom(case, assignment, req)
    return req


@transaction.atomic
def reply_draft(*, actor, assignment_id, text: str) -> CaseReply:
    """The lead unit (or grid) submits its reply; it goes public only after review."""
    assignment, case = _locked(actor, assignment_id)
    _require_acknowledged(assignment)
    if assignment.role == AssignmentRole.ASSIST:
        raise ServiceError("lead_only", "答复由主办单位提交，协办单位请填写办理进展",
                           status=403)
    check_state(case, CaseState.IN_PROGRESS, message="当前状态不能提交答复")
    text = clean_text(text, field="text", label="答复内容", max_length=3000)
    if len(text) < 10:
        raise ServiceError("too_short", "答复内容至少10个字", field="text")
    reply = CaseReply.objects.create(case=case, assignment=assignment, text=text, author=actor,
                                     status=ReplyStatus.PENDING)
    transition(case, to=CaseState.REPLY_REVIEW, kind=EventKind.REPLY_DRAFTED, actor=actor,
               unit=assignment.unit, public=False)
    notify.resolve(notify.assignment_key(assignment.pk))
    notify.newsroom(case=case, kind=notify.REVIEW, title=f"问政{case.receipt_no}的答复待审核",
                    body=f"{assignment.unit.name}：{text[:100]}",
                    link=notify.console_link("wenzheng_replies"), key=f"wz:reply:{reply.pk}")
    return reply
