"""The newsroom's actions (问政专员): triage (accept, reject, merge, ask for more), dispatch
along track ① or ②, decide returns and extensions, review replies and public progress notes
before they go public (先审后发)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.roles import GRID_LEADER
from rongmei.units.access import people_acting_in
from rongmei.units.models import Unit

from .. import workdays
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseDeadline,
    CaseReply,
    CaseState,
    DeadlineStep,
    EventKind,
    Priority,
    ProgressNote,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    ReviewStatus,
    Track,
    UnitRequest,
)
from . import notify
from .common import (
    LIVE,
    check_newsroom,
    check_state,
    clean_text,
    deadline_cancel,
    deadline_meet,
    deadline_open,
    open_handling_deadlines,
    staff_case,
    transition,
)


def _unit(unit_id, *, field: str = "unit", label: str = "单位") -> Unit:
    try:
        return Unit.objects.get(pk=int(unit_id), is_active=True)
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise ServiceError("invalid_unit", f"请选择{label}", field=field) from None


# --- triage --------------------------------------------------------------------------------

@transaction.atomic
def case_accept(*, actor, case_id, track, priority: str = Priority.NORMAL, category_id=None,
                subject_unit_id=None, public: bool = True, note: str = "",
                public_title: str | None = None,
                public_description: str | None = None) -> Case:
    """Accept a case onto a track. ``public`` shows it on the board (if the citizen agreed);
    ``public_title``/``public_description`` are what the board shows instead of the
    citizen's own words, when the newsroom edits them (redaction before publication)."""
    from .moderation import apply_redaction

    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.SUBMITTED)
    try:
        track = Track(int(track))
    except (TypeError, ValueError):
        raise ServiceError("invalid_track", "请选择办理路径", field="track") from None
    if priority not in Priority.values:
        raise ServiceError("invalid", "请选择紧急程度", field="priority")
    if category_id not in (None, ""):
        try:
            case.category = CaseCategory.objects.get(pk=int(category_id))
        except (CaseCategory.DoesNotExist, TypeError, ValueError):
            raise ServiceError("invalid_category", "请选择问题分类", field="category") from None
    if subject_unit_id not in (None, ""):
        case.subject_unit = _unit(subject_unit_id, field="subject_unit", label="被反映单位")
    note = clean_text(note, field="note", label="备注", max_length=300, required=False,
                      scan=False)
    changed = apply_redaction(case, title=public_title, description=public_description)
    case.track, case.priority = track, priority
    case.is_public = bool(public) and case.wants_public
    case.accepted_at = timezone.now()
    case.save(update_fields=["track", "priority", "category", "subject_unit", "is_public",
                             "accepted_at", "public_title", "public_description"])
    if changed:
        transition(case, to=None, kind=EventKind.REDACTED, actor=actor, public=False,
                   note="受理时编辑了公开内容", data={"fields": changed})
    deadline_meet(case, DeadlineStep.REVIEW)
    notify.resolve(notify.case_key(case.pk, "triage"))
    transition(case, to=CaseState.ACCEPTED, kind=EventKind.ACCEPTED, actor=actor, note=note,
               public_text="您的诉求已受理", data={"track": int(track), "priority": priority})
    return case


@transaction.atomic
def case_reject(*, actor, case_id, reason: str, referral: str = "") -> Case:
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.SUBMITTED, CaseState.NEEDS_INFO)
    reason = clean_text(reason, field="reason", label="不予受理的理由", max_length=200,
                        scan=False)
    referral = clean_text(referral, field="referral", label="建议渠道", max_length=200,
                          required=False, scan=False)
    case.reject_reason, case.referral = reason, referral
    case.closed_at = timezone.now()
    case.save(update_fields=["reject_reason", "referral", "closed_at"])
    deadline_cancel(case, DeadlineStep.REVIEW, DeadlineStep.INFO)
    notify.resolve(notify.case_key(case.pk, "triage"))
    text = reason + (f"。建议：{referral}" if referral else "")
    transition(case, to=CaseState.REJECTED, kind=EventKind.REJECTED, actor=actor,
               public_text=text)
    return case


@transaction.atomic
def case_request_info(*, actor, case_id, question: str) -> Case:
    """待补充: ask the citizen (who is told by their chosen channel) and give them the
    configured working days (step 群众补充信息); ``wenzheng_tick`` reminds them on the last
    day and closes the case as 补充超时 after it."""
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.SUBMITTED)
    question = clean_text(question, field="question", label="需补充的内容", max_length=200,
                          scan=False)
    case.info_request = question
    case.save(update_fields=["info_request"])
    deadline_meet(case, DeadlineStep.REVIEW)
    notify.resolve(notify.case_key(case.pk, "triage"))
    info = deadline_open(case, DeadlineStep.INFO)
    due = timezone.localtime(info.due_at)
    transition(case, to=CaseState.NEEDS_INFO, kind=EventKind.INFO_REQUESTED, actor=actor,
               public=True, public_text=f"请于{due.month}月{due.day}日前补充：{question}")
    return case


@transaction.atomic
def case_merge(*, actor, case_id, into_id) -> Case:
    """A duplicate joins an accepted case: its citizen follows the original from now on."""
    from ..models import CaseFollow, FollowKind

    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.SUBMITTED, CaseState.NEEDS_INFO)
    try:
        target = Case.objects.select_for_update().get(pk=int(into_id))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise ServiceError("invalid_case", "要合并到的问政不存在", field="into") from None
    if target.pk == case.pk or target.state in (CaseState.SUBMITTED, CaseState.NEEDS_INFO,
                                                CaseState.REJECTED, CaseState.MERGED):
        raise ServiceError("invalid_case", "只能合并到已受理的另一条问政", field="into")
    case.merged_into = target
    case.closed_at = timezone.now()
    case.save(update_fields=["merged_into", "closed_at"])
    deadline_cancel(case, DeadlineStep.REVIEW, DeadlineStep.INFO)
    notify.resolve(notify.case_key(case.pk, "triage"))
    if case.user_id:
        _, created = CaseFollow.objects.get_or_create(case=target, user_id=case.user_id,
                                                      kind=FollowKind.SAME)
        if created:
            target.same_count += 1
            target.save(update_fields=["same_count"])
    transition(case, to=CaseState.MERGED, kind=EventKind.MERGED, actor=actor,
               public_text=f"与同类问题合并办理（受理编号{target.receipt_no}）",
               data={"into": target.pk})
    return case


# --- dispatch (tracks ① and ②) --------------------------------------------------------------

def assign(case: Case, *, unit: Unit, role: str, actor) -> CaseAssignment:
    """Hand the case to a unit: its acknowledge deadline starts, and the people who may act
    there get a 待办 (and an SMS) to sign for it."""
    assignment = CaseAssignment.objects.create(case=case, unit=unit, role=role,
                                               assigned_by=actor)
    deadline = deadline_open(case, DeadlineStep.ACKNOWLEDGE, assignment=assignment)
    notify.unit(assignment, kind=notify.ASSIGNED,
                title=f"新问政待签收：{case.title[:20]}",
                body=f"受理编号{case.receipt_no}，{assignment.get_role_display()}，"
                     f"签收期限{timezone.localtime(deadline.due_at):%Y-%m-%d}",
                key=notify.assignment_key(assignment.pk),
                sms_params={"receipt": case.receipt_no})
    return assignment


def _start_handling(case: Case, *, reply_due=None) -> None:
    now = timezone.now()
    if case.dispatched_at is None:
        case.dispatched_at = now
        case.save(update_fields=["dispatched_at"])
        open_handling_deadlines(case, start=now, reply_due=reply_due)


@transaction.atomic
def dispatch_to_unit(*, actor, case_id, unit_id, contact_note: str = "") -> CaseAssignment:
    """Track ①: the editor hands the case to the responsible unit and records the contact."""
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.ACCEPTED)
    if case.track != Track.SIMPLE:
        raise ServiceError("wrong_track", "只有①简单问题直接转责任单位", status=409)
    unit = _unit(unit_id)
    contact_note = clean_text(contact_note, field="contact_note", label="联系记录",
                              max_length=300, required=False, scan=False)
    assignment = assign(case, unit=unit, role=AssignmentRole.LEAD, actor=actor)
    _start_handling(case)
    transition(case, to=CaseState.DISPATCHED, kind=EventKind.DISPATCHED, actor=actor,
               unit=unit, note=contact_note, public_text=f"已转{unit.name}办理")
    return assignment


@transaction.atomic
def dispatch_to_grid(*, actor, case_id, area_id=None) -> CaseAssignment:
    """Track ②: the case goes to the grid leaders (三长) of its village or community."""
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.ACCEPTED)
    if case.track != Track.HARD:
        raise ServiceError("wrong_track", "只有②困难问题转城乡三长", status=409)
    area = _unit(area_id, field="area", label="网格所在村（社区）") if area_id else case.area
    if area is None:
        raise ServiceError("area_required", "请选择网格所在村（社区）", field="area")
    if not people_acting_in(area, GRID_LEADER):
        raise ServiceError("no_grid_leader", f"“{area.name}”还没有三长，请先在单位中添加",
                           field="area")
    if case.area_id != area.pk:
        case.area = area
        case.save(update_fields=["area"])
    assignment = assign(case, unit=area, role=AssignmentRole.GRID, actor=actor)
    _start_handling(case)
    transition(case, to=CaseState.DISPATCHED, kind=EventKind.DISPATCHED, actor=actor,
               unit=area, public_text=f"已转{area.name}三长办理")
    return assignment


@transaction.atomic
def redispatch(*, actor, case_id, unit_id, role: str = AssignmentRole.LEAD) -> CaseAssignment:
    """After an approved return: hand the case to another unit (any track)."""
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    check_state(case, CaseState.ACCEPTED)
    if case.dispatched_at is None:
        raise ServiceError("wrong_state", "请先按办理路径转办", status=409)
    unit = _unit(unit_id)
    role = AssignmentRole.GRID if role == AssignmentRole.GRID else AssignmentRole.LEAD
    assignment = assign(case, unit=unit, role=role, actor=actor)
    notify.resolve(notify.case_key(case.pk, "redispatch"))
    transition(case, to=CaseState.DISPATCHED, kind=EventKind.DISPATCHED, actor=actor,
               unit=unit, public_text=f"已转{unit.name}办理")
    return assignment


# --- returns and extensions ------------------------------------------------------------------

@transaction.atomic
def request_decide(*, actor, request_id, approve: bool, note: str = "") -> UnitRequest:
    """Decide a 退单 or 延期 request. An approved return sends the case back to triage
    (state 待转办) for another unit; an approved extension moves the reply and close
    deadlines by the requested working days."""
    check_newsroom(actor)
    try:
        req = (UnitRequest.objects.select_for_update(of=("self",))
               .select_related("assignment__case", "assignment__unit").get(pk=int(request_id)))
    except (UnitRequest.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("申请不存在") from None
    if req.status != RequestStatus.PENDING:
        raise ServiceError("already_decided", "该申请已审核", status=409)
    note = clean_text(note, field="note", label="审核意见", max_length=200, required=False,
                      scan=False)
    case = Case.objects.select_for_update().get(pk=req.assignment.case_id)
    assignment = req.assignment
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    req.decided_by, req.decided_at, req.decision_note = actor, timezone.now(), note
    req.save()
    notify.resolve(f"wz:request:{req.pk}")
    verdict = "已同意" if approve else "未同意"
    notify.unit(assignment, kind=notify.UPDATE,
                title=f"{req.get_kind_display()}申请{verdict}：问政{case.receipt_no}",
                body=note or req.reason[:120])
    if req.kind == RequestKind.RETURN:
        if approve:
            # The unit's hold on the case ends here: no more contacts or photos for it.
            assignment.status = AssignmentStatus.RETURNED
            assignment.returned_at = timezone.now()
            assignment.save(update_fields=["status", "returned_at"])
            deadline_cancel(case, DeadlineStep.ACKNOWLEDGE, assignment=assignment)
            notify.resolve(notify.assignment_key(assignment.pk))
            still_leading = case.assignments.filter(
                role__in=[AssignmentRole.LEAD, AssignmentRole.GRID], status__in=LIVE).exists()
            to = None if still_leading or assignment.role == AssignmentRole.ASSIST \
                else CaseState.ACCEPTED
            transition(case, to=to, kind=EventKind.RETURN_DECIDED, actor=actor,
                       unit=assignment.unit, note=note, data={"approved": True})
            if to == CaseState.ACCEPTED:
                notify.newsroom(case=case,
                                kind=notify.REVIEW,
                                title=f"问政{case.receipt_no}已退单，请重新转办",
                                body=req.reason[:120],
                                link=notify.console_link("wenzheng_dispatch"),
                                key=notify.case_key(case.pk, "redispatch"))
        else:
            transition(case, to=None, kind=EventKind.RETURN_DECIDED, actor=actor,
                       unit=assignment.unit, note=note, data={"approved": False})
    else:
        if approve:
            for deadline in CaseDeadline.objects.select_for_update().filter(
                    case=case, step__in=[DeadlineStep.REPLY, DeadlineStep.CLOSE], met_at=None,
                    cancelled_at=None):
                deadline.due_at = workdays.extend(deadline.due_at, req.days)
                deadline.extended_days += req.days
                deadline.reminded_at = None
                deadline.save(update_fields=["due_at", "extended_days", "reminded_at"])
        transition(case, to=None, kind=EventKind.EXTENSION_DECIDED, actor=actor,
                   unit=assignment.unit, note=note,
                   data={"approved": bool(approve), "days": req.days})
    return req


# --- reply review (先审后发) ------------------------------------------------------------------

@transaction.atomic
def reply_review(*, actor, reply_id, approve: bool, text: str | None = None,
                 note: str = "") -> CaseReply:
    """Approve (optionally edited) → public reply signed by the unit; or send back (退回重办)."""
    check_newsroom(actor)
    try:
        reply = (CaseReply.objects.select_for_update(of=("self",))
                 .select_related("assignment__unit").get(pk=int(reply_id)))
    except (CaseReply.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("答复不存在") from None
    if reply.status != ReplyStatus.PENDING:
        raise ServiceError("already_reviewed", "该答复已审核", status=409)
    case = Case.objects.select_for_update().get(pk=reply.case_id)
    check_state(case, CaseState.REPLY_REVIEW)
    note = clean_text(note, field="note", label="审核意见", max_length=300, required=not approve,
                      scan=False)
    now = timezone.now()
    reply.reviewer, reply.reviewed_at, reply.review_note = actor, now, note
    notify.resolve(f"wz:reply:{reply.pk}")
    if approve:
        if text is not None and text.strip() and text.strip() != reply.text:
            reply.text = clean_text(text, field="text", label="答复内容", max_length=3000)
            reply.edited = True
        reply.status = ReplyStatus.APPROVED
        reply.save()
        case.reply_text, case.reply_unit, case.answered_at = reply.text, reply.assignment.unit, now
        case.save(update_fields=["reply_text", "reply_unit", "answered_at"])
        deadline_meet(case, DeadlineStep.REPLY, when=now)
        transition(case, to=CaseState.ANSWERED, kind=EventKind.ANSWERED, actor=actor,
                   unit=reply.assignment.unit,
                   public_text=f"{reply.assignment.unit.name}已答复，请您评价")
        notify.unit(reply.assignment, kind=notify.UPDATE,
                    title=f"问政{case.receipt_no}的答复已审核公开", body=note)
    else:
        reply.status = ReplyStatus.SENT_BACK
        reply.save()
        transition(case, to=CaseState.IN_PROGRESS, kind=EventKind.REPLY_SENT_BACK, actor=actor,
                   unit=reply.assignment.unit, note=note, public=False)
        notify.unit(reply.assignment, kind=notify.SENT_BACK,
                    title=f"问政{case.receipt_no}的答复被退回重办", body=note[:200],
                    key=notify.assignment_key(reply.assignment_id),
                    sms_params={"receipt": case.receipt_no})
    return reply


@transaction.atomic
def progress_review(*, actor, note_id, approve: bool, text: str | None = None,
                    note: str = "") -> ProgressNote:
    """Publish a unit's progress note on the public timeline (optionally edited), or refuse
    it with a reason. Either way the unit is told; the citizen sees a published one."""
    check_newsroom(actor)
    try:
        progress = (ProgressNote.objects.select_for_update(of=("self",))
                    .select_related("assignment__unit").get(pk=int(note_id)))
    except (ProgressNote.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("办理进展不存在") from None
    if progress.status != ReviewStatus.PENDING:
        raise ServiceError("already_reviewed", "该进展已审核", status=409)
    case = Case.objects.select_for_update().get(pk=progress.case_id)
    note = clean_text(note, field="note", label="审核意见", max_length=300, required=not approve,
                      scan=False)
    unit = progress.assignment.unit
    progress.reviewer, progress.reviewed_at, progress.review_note = actor, timezone.now(), note
    notify.resolve(f"wz:progress:{progress.pk}")
    if approve:
        if text is not None and text.strip():
            progress.text = clean_text(text, field="text", label="进展内容", max_length=500)
        progress.status = ReviewStatus.APPROVED
        progress.save()
        transition(case, to=None, kind=EventKind.PROGRESS_PUBLISHED, actor=actor, unit=unit,
                   public=True, public_text=progress.text[:300], data={"note": progress.pk})
        notify.citizen_message(case, title="您的问政有新的办理进展",
                               body=f"{unit.name}：{progress.text[:100]}")
    else:
        progress.status = ReviewStatus.REFUSED
        progress.save()
        transition(case, to=None, kind=EventKind.PROGRESS_REFUSED, actor=actor, unit=unit,
                   public=False, note=note, data={"note": progress.pk})
    notify.unit(progress.assignment, kind=notify.UPDATE,
                title=f"问政{case.receipt_no}的办理进展{'已公开' if approve else '未公开'}",
                body=note)
    return progress

