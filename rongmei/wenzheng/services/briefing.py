"""Track ③: the newsroom drafts a numbered 舆情内参, another editor reviews it, it is
submitted to 宣传部, which issues a numbered 转办告知单 to a lead unit and assisting units,
copied to named county leaders, with a deadline; leaders' 批示 are recorded."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.roles import ADMINISTRATOR, PROPAGANDA
from rongmei.units.access import check_role, has_role

from .. import workdays
from ..models import (
    AssignmentRole,
    Briefing,
    Case,
    CaseState,
    DocumentStatus,
    EventKind,
    Instruction,
    Track,
    TransferNotice,
)
from . import notify
from .common import (
    check_newsroom,
    check_state,
    clean_text,
    is_newsroom,
    open_handling_deadlines,
    staff_case,
    transition,
)
from .newsroom import _unit, assign


def _briefing_key(briefing) -> str:
    return f"wz:briefing:{briefing.pk}"


def _next_number(model, year: int) -> int:
    return (model.objects.filter(year=year).aggregate(m=Max("seq"))["m"] or 0) + 1


def _numbered_create(model, **fields):
    """Create with the next number of the year; a concurrent twin retries with the next."""
    year = timezone.localdate().year
    for _ in range(5):
        try:
            with transaction.atomic():
                return model.objects.create(year=year, seq=_next_number(model, year), **fields)
        except IntegrityError:
            continue
    raise ServiceError("busy", "编号冲突，请重试", status=409)


@transaction.atomic
def briefing_draft(*, actor, case_id, title: str, body: str) -> Briefing:
    """Start (or rewrite, while still a draft) the case's 舆情内参."""
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.ACCEPTED, CaseState.BRIEFING)
    if case.track != Track.COMPLEX:
        raise ServiceError("wrong_track", "只有③复杂问题需要舆情内参", status=409)
    title = clean_text(title, field="title", label="内参标题", max_length=80, scan=False)
    body = clean_text(body, field="body", label="内参正文", max_length=6000, scan=False)
    briefing = Briefing.objects.filter(case=case).first()
    if briefing is None:
        briefing = _numbered_create(Briefing, case=case, title=title, body=body,
                                    drafted_by=actor)
        transition(case, to=CaseState.BRIEFING, kind=EventKind.BRIEFING_DRAFTED, actor=actor,
                   data={"number": briefing.number}, public=False)
        return briefing
    if briefing.status not in (DocumentStatus.DRAFT,):
        raise ServiceError("wrong_state", "内参已提交审核，不能再修改", status=409)
    briefing.title, briefing.body, briefing.drafted_by = title, body, actor
    briefing.save(update_fields=["title", "body", "drafted_by"])
    return briefing


def _briefing(actor, briefing_id) -> Briefing:
    try:
        briefing = (Briefing.objects.select_for_update(of=("self",)).select_related("case")
                    .get(pk=int(briefing_id)))
    except (Briefing.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("舆情内参不存在") from None
    Case.objects.select_for_update().get(pk=briefing.case_id)
    return briefing


@transaction.atomic
def briefing_send_for_review(*, actor, briefing_id) -> Briefing:
    check_newsroom(actor)
    briefing = _briefing(actor, briefing_id)
    if briefing.status != DocumentStatus.DRAFT:
        raise ServiceError("wrong_state", "内参不是草稿", status=409)
    briefing.status = DocumentStatus.REVIEW
    briefing.save(update_fields=["status"])
    reviewers = [p for p in notify.newsroom_people() if p.pk != briefing.drafted_by_id]
    notify.newsroom(case=briefing.case, kind=notify.REVIEW, title=f"{briefing.number}待审核",
                    body=briefing.title, link=notify.console_link("wenzheng_briefings"),
                    key=_briefing_key(briefing), people=reviewers or None)
    return briefing


@transaction.atomic
def briefing_review(*, actor, briefing_id, approve: bool, note: str = "") -> Briefing:
    """Another editor (not the drafter) approves the 内参 or sends it back to draft."""
    check_newsroom(actor)
    briefing = _briefing(actor, briefing_id)
    if briefing.status != DocumentStatus.REVIEW:
        raise ServiceError("wrong_state", "内参不在待审核状态", status=409)
    if briefing.drafted_by_id == actor.pk and not has_role(actor, ADMINISTRATOR):
        raise PermissionDeniedError("内参须由起草人以外的人审核")
    note = clean_text(note, field="note", label="审核意见", max_length=200,
                      required=not approve, scan=False)
    briefing.status = DocumentStatus.APPROVED if approve else DocumentStatus.DRAFT
    briefing.reviewed_by, briefing.review_note = actor, note
    briefing.save(update_fields=["status", "reviewed_by", "review_note"])
    notify.resolve(_briefing_key(briefing))
    if briefing.drafted_by_id and briefing.drafted_by.is_active:
        notify.newsroom(case=briefing.case, kind=notify.UPDATE if approve else notify.REVIEW,
                        title=f"{briefing.number}{'审核通过，可报送' if approve else '被退回修改'}",
                        body=note, link=notify.console_link("wenzheng_briefings"),
                        key="" if approve else _briefing_key(briefing),
                        people=[briefing.drafted_by])
    transition(briefing.case, to=None, kind=EventKind.BRIEFING_REVIEWED, actor=actor,
               note=note, data={"approved": bool(approve)}, public=False)
    return briefing


@transaction.atomic
def briefing_submit(*, actor, briefing_id) -> Briefing:
    check_newsroom(actor)
    briefing = _briefing(actor, briefing_id)
    if briefing.status != DocumentStatus.APPROVED:
        raise ServiceError("wrong_state", "内参审核通过后才能报送", status=409)
    briefing.status, briefing.submitted_at = DocumentStatus.SUBMITTED, timezone.now()
    briefing.save(update_fields=["status", "submitted_at"])
    transition(briefing.case, to=None, kind=EventKind.BRIEFING_SUBMITTED, actor=actor,
               public=True, public_text="已报送县委宣传部协调办理",
               data={"number": briefing.number})
    notify.resolve(_briefing_key(briefing))
    notify.newsroom(case=briefing.case,
                    kind=notify.REVIEW, title=f"{briefing.number}已报送，请下发转办告知单",
                    body=briefing.title, link=notify.console_link("wenzheng_briefings"),
                    key=_briefing_key(briefing), people=notify.propaganda_people())
    return briefing


def _due(due_date) -> datetime:
    if isinstance(due_date, str):
        try:
            due_date = date.fromisoformat(due_date)
        except ValueError:
            raise ServiceError("invalid", "办理期限格式不正确", field="due_date") from None
    if not isinstance(due_date, date):
        raise ServiceError("required", "请填写办理期限", field="due_date")
    if due_date <= timezone.localdate():
        raise ServiceError("invalid", "办理期限应晚于今天", field="due_date")
    if not workdays.is_workday(due_date):
        raise ServiceError("invalid", "办理期限应为工作日", field="due_date")
    return timezone.make_aware(datetime.combine(due_date, time(23, 59, 59)))


@transaction.atomic
def notice_issue(*, actor, briefing_id, lead_unit_id, assisting_unit_ids=(), copied_to=(),
                 requirements: str = "", due_date=None) -> TransferNotice:
    """宣传部 issues the 转办告知单. Without ``due_date`` the deadline is the configured
    working days for track ③ (15 by default)."""
    check_role(actor, PROPAGANDA, message="转办告知单由宣传部下发")
    briefing = _briefing(actor, briefing_id)
    case = briefing.case
    case.refresh_from_db()
    check_state(case, CaseState.BRIEFING)
    if briefing.status != DocumentStatus.SUBMITTED:
        raise ServiceError("wrong_state", "内参报送后才能下发转办告知单", status=409)
    lead = _unit(lead_unit_id, field="lead_unit", label="主办单位")
    assisting = []
    for unit_id in assisting_unit_ids or ():
        unit = _unit(unit_id, field="assisting_units", label="协办单位")
        if unit.pk != lead.pk and unit not in assisting:
            assisting.append(unit)
    leaders = [clean_text(name, field="copied_to", label="抄送领导", max_length=40, scan=False)
               for name in (copied_to or ()) if str(name).strip()]
    requirements = clean_text(requirements, field="requirements", label="办理要求",
                              max_length=2000, required=False, scan=False)
    set_due = _due(due_date) if due_date else None
    case.dispatched_at = timezone.now()
    case.save(update_fields=["dispatched_at"])
    reply = open_handling_deadlines(case, reply_due=set_due)
    notice = _numbered_create(TransferNotice, case=case, briefing=briefing, lead_unit=lead,
                              copied_to=leaders, requirements=requirements,
                              due_at=reply.due_at, issued_by=actor)
    notice.assisting_units.set(assisting)
    for unit, role in [(lead, AssignmentRole.LEAD)] + [(u, AssignmentRole.ASSIST)
                                                        for u in assisting]:
        assign(case, unit=unit, role=role, actor=actor)
    notify.resolve(_briefing_key(briefing))
    transition(case, to=CaseState.DISPATCHED, kind=EventKind.NOTICE_ISSUED, actor=actor,
               unit=lead, public_text=f"县委宣传部已转{lead.name}牵头办理",
               data={"number": notice.number, "assisting": [u.pk for u in assisting],
                     "copied_to": leaders})
    return notice


@transaction.atomic
def instruction_record(*, actor, case_id, leader: str, text: str) -> Instruction:
    """Record a county leader's 批示 (by 宣传部 or the newsroom)."""
    if not (has_role(actor, PROPAGANDA) or is_newsroom(actor)):
        raise PermissionDeniedError("领导批示由宣传部或问政专员录入")
    case = staff_case(actor, case_id, lock=True)
    if case.track != Track.COMPLEX:
        raise ServiceError("wrong_track", "只有③复杂问题录入领导批示", status=409)
    leader = clean_text(leader, field="leader", label="批示领导", max_length=40, scan=False)
    text = clean_text(text, field="text", label="批示内容", max_length=1000, scan=False)
    instruction = Instruction.objects.create(case=case, leader=leader, text=text,
                                             recorded_by=actor)
    transition(case, to=None, kind=EventKind.INSTRUCTION, actor=actor, public=False,
               note=f"{leader}：{text}")
    return instruction
