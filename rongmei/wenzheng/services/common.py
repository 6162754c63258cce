"""What every 问政 action shares: who may see a case (asked of ``rongmei.units.access``, the
one access module), the one state-transition function (which writes the event and tells the
citizen), deadlines, and text checks."""

from __future__ import annotations

import logging

from django.utils import timezone

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.roles import (
    DIRECTOR,
    GRID_LEADER,
    PROPAGANDA,
    UNIT_HANDLER,
    WENZHENG_HANDLER,
)
from rongmei.core.text import typed_text
from rongmei.units.access import can_act_in_unit, check_role, has_role

from .. import workdays
from ..models import (
    PUBLIC_STATUS_OF_STATE,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseDeadline,
    CaseEvent,
    CaseState,
    DeadlineRule,
    DeadlineStep,
    Priority,
    Track,
)
from . import notify

logger = logging.getLogger("rongmei.wenzheng")

NEWSROOM = (WENZHENG_HANDLER, DIRECTOR)
LIVE = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)

# Working days per step; (step, track, priority) → days. Operators override with DeadlineRule.
DEFAULT_DEADLINES = {
    (DeadlineStep.REVIEW, None, None): 1,
    (DeadlineStep.ACKNOWLEDGE, None, None): 1,
    (DeadlineStep.REPLY, Track.SIMPLE, Priority.URGENT): 5,
    (DeadlineStep.REPLY, Track.SIMPLE, Priority.NORMAL): 7,
    (DeadlineStep.REPLY, Track.HARD, Priority.URGENT): 7,
    (DeadlineStep.REPLY, Track.HARD, Priority.NORMAL): 10,
    (DeadlineStep.REPLY, Track.COMPLEX, None): 15,
    (DeadlineStep.CLOSE, None, None): 3,  # after the reply deadline: rating and closing
    (DeadlineStep.INFO, None, None): 5,  # the citizen's time to add information (待补充)
}


def is_newsroom(user) -> bool:
    return has_role(user, *NEWSROOM)


def check_newsroom(user) -> None:
    if not is_newsroom(user):
        raise PermissionDeniedError("此操作仅限问政专员")


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True,
               scan: bool = True) -> str:
    """Plain text without markup, length-checked and passed through the sensitive-word gate."""
    text = typed_text(value)
    if required and not text:
        raise ServiceError("required", f"请填写{label}", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", f"{label}不能超过{max_length}字", field=field)
    if scan and text:
        verdict = scan_text(text)
        if verdict is not None and getattr(verdict, "blocked", False):
            message = getattr(verdict, "message", "") or "内容含有不宜发布的词语，请修改后再提交"
            raise ServiceError("sensitive_words", message, field=field)
    return text


def scan_text(text: str):
    """``rongmei.wordgate.services.scan`` when the word gate is installed, else None."""
    try:
        from rongmei.wordgate.services import scan
    except ImportError:  # the word gate app is optional; without it nothing is blocked
        return None
    return scan(text)


def staff_case(actor, case_id, *, lock: bool = False) -> Case:
    """A case ``actor`` may act on as staff, or raise (404 for a forged id)."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise NotFoundError("问政不存在") from None
    qs = Case.objects.select_for_update() if lock else Case.objects
    case = qs.filter(pk=case_id).first()
    if case is None:
        raise NotFoundError("问政不存在")
    if not staff_may_see(actor, case):
        raise PermissionDeniedError("您无权查看这条问政")
    return case


def own_case(user, case_id, *, lock: bool = False) -> Case:
    """The citizen's own case; another user's case is "not found", not "forbidden"."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise NotFoundError("问政不存在") from None
    qs = Case.objects.select_for_update() if lock else Case.objects
    case = qs.filter(pk=case_id, user_id=getattr(user, "pk", None)).first()
    if case is None:
        raise NotFoundError("问政不存在")
    return case


def assignment_allowed(user, assignment: CaseAssignment, *, live: bool = False) -> bool:
    """Unit handlers act on their units' lead/assist assignments, 三长 on grid ones (in the
    unit or below it, as ``units.access`` decides); ``live`` also requires the assignment
    not to have ended (returned or done)."""
    if live and assignment.status not in LIVE:
        return False
    role = GRID_LEADER if assignment.role == AssignmentRole.GRID else UNIT_HANDLER
    return can_act_in_unit(user, assignment.unit, role)


def holds_case(user, case: Case) -> bool:
    """Does one of ``user``'s units hold ``case`` now (a live assignment)? Contact details
    and attachments are for the unit holding the case, and end with its assignment."""
    return any(assignment_allowed(user, a, live=True)
               for a in case.assignments.select_related("unit"))


def staff_may_see(user, case: Case) -> bool:
    if is_newsroom(user):
        return True
    if has_role(user, PROPAGANDA) and case.track == Track.COMPLEX:
        return True
    return any(assignment_allowed(user, a) for a in case.assignments.select_related("unit"))


def staff_assignment(actor, assignment_id, *, lock: bool = True) -> CaseAssignment:
    # Who may hold an assignment at all is asked before the lookup, so an account in no
    # handling role learns nothing (not even whether the id exists).
    check_role(actor, UNIT_HANDLER, GRID_LEADER, message="只有承办单位或三长可以办理问政")
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError):
        raise NotFoundError("承办记录不存在") from None
    qs = CaseAssignment.objects.select_related("unit", "case")
    if lock:
        qs = qs.select_for_update(of=("self",))
    assignment = qs.filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFoundError("承办记录不存在")
    if not assignment_allowed(actor, assignment):
        # The same answer as for an id that does not exist: naming the unit that holds the
        # case (or even confirming the id) would tell another unit's handler about it.
        raise NotFoundError("承办记录不存在")
    if assignment.status == AssignmentStatus.RETURNED:
        raise ServiceError("assignment_returned", "该问政已退单，不能再办理", status=409)
    return assignment


def check_state(case: Case, *states, message: str | None = None) -> None:
    if case.state not in states:
        raise ServiceError("wrong_state", message or
                           f"当前状态为“{case.get_state_display()}”，不能执行此操作",
                           status=409)


def transition(case: Case, *, to: str | None, kind: str, actor=None, unit=None,
               public_text: str = "", note: str = "", data: dict | None = None,
               public: bool | None = None, tell_citizen: bool | None = None) -> CaseEvent:
    """Move ``case`` to state ``to`` (or stay, with ``to=None``) and record the event.

    The event is public when the public status changes (or ``public=True``). The citizen is
    told — in the inbox, and by SMS after commit when they chose SMS — of every change they
    should know of: a new public status, and being asked for more information (which keeps
    the public status 待审核); ``tell_citizen`` overrides. Call inside the action's
    transaction, holding the case row lock.
    """
    now = timezone.now()
    state_from = case.state
    old_public = case.public_status
    fields = ["updated_at"]
    if to is not None and to != case.state:
        case.state = to
        case.public_status = PUBLIC_STATUS_OF_STATE[to]
        fields += ["state", "public_status"]
    case.save(update_fields=fields)
    status_changed = case.public_status != old_public
    event = CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, unit=unit, state_from=state_from,
        state_to=case.state, public=status_changed if public is None else public,
        public_text=public_text[:300], note=note, data=data or {}, created_at=now)
    if tell_citizen is None:
        tell_citizen = status_changed or (case.state == CaseState.NEEDS_INFO
                                          and state_from != CaseState.NEEDS_INFO)
    if tell_citizen:
        notify.citizen(case, status=citizen_status(case), detail=public_text,
                       phone=contact_phone(case))
    return event


def citizen_status(case: Case) -> str:
    """How the citizen's notice names where their case stands."""
    if case.state == CaseState.NEEDS_INFO:
        return "需要您补充信息"
    if case.state == CaseState.INFO_TIMEOUT:
        return "因未按期补充信息已结束办理"
    return case.get_public_status_display()


def contact_phone(case: Case) -> str:
    from rongmei.core import crypto

    return crypto.decrypt(case.contact_phone_encrypted) if case.contact_phone_encrypted else ""


def contact_name(case: Case) -> str:
    from rongmei.core import crypto

    return crypto.decrypt(case.contact_name_encrypted) if case.contact_name_encrypted else ""


def names_of(case: Case) -> list[str]:
    """The names the citizen gave or goes by, for masking what the public sees."""
    names = [contact_name(case)]
    user = case.user if case.user_id else None
    if user is not None:
        names += [user.name, user.nickname]
        realname = getattr(user, "realname", None)  # None when they never registered one
        if realname is not None:
            names.append(realname.name)
    return [n for n in names if n]


# --- deadlines ---------------------------------------------------------------------------

def working_days_for(step: str, *, track=None, priority=None) -> int:
    """The most specific operator rule, else the default for (step, track, priority)."""
    rules = {(r.track, r.priority or None): r.working_days
             for r in DeadlineRule.objects.filter(step=step)}
    for key in ((track, priority), (track, None), (None, priority), (None, None)):
        if key in rules:
            return rules[key]
    for key in ((step, track, priority), (step, track, None), (step, None, None)):
        if key in DEFAULT_DEADLINES:
            return DEFAULT_DEADLINES[key]
    return 5


def deadline_open(case: Case, step: str, *, start=None, assignment=None, days: int | None = None,
                  due_at=None) -> CaseDeadline:
    """Open a deadline of ``days`` working days (the configured rule by default) from
    ``start``, or at ``due_at`` when a person set the date (never recomputed then)."""
    start = start or timezone.now()
    if days is None:
        days = working_days_for(step, track=case.track, priority=case.priority)
    return CaseDeadline.objects.create(
        case=case, assignment=assignment, step=step, working_days=days,
        due_at=due_at or workdays.due_after(start, days), created_at=start,
        fixed=due_at is not None)


def _close_deadlines(qs, **values) -> None:
    ids = list(qs.values_list("pk", flat=True))
    if ids:
        CaseDeadline.objects.filter(pk__in=ids).update(**values)
        notify.resolve(*(notify.deadline_key(pk) for pk in ids))


def deadline_meet(case: Case, step: str, *, assignment=None, when=None) -> None:
    qs = CaseDeadline.objects.filter(case=case, step=step, met_at=None, cancelled_at=None)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    _close_deadlines(qs, met_at=when or timezone.now())


def deadline_cancel(case: Case, *steps: str, assignment=None) -> None:
    qs = CaseDeadline.objects.filter(case=case, step__in=steps, met_at=None, cancelled_at=None)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    _close_deadlines(qs, cancelled_at=timezone.now())


def open_handling_deadlines(case: Case, *, start=None, reply_due=None) -> CaseDeadline:
    """Reply and close deadlines for a freshly dispatched (or reopened) case; ``reply_due``
    when a person set the date. Returns the reply deadline."""
    start = start or timezone.now()
    deadline_cancel(case, DeadlineStep.REPLY, DeadlineStep.CLOSE)
    reply = deadline_open(case, DeadlineStep.REPLY, start=start, due_at=reply_due)
    deadline_open(case, DeadlineStep.CLOSE, start=reply.due_at,
                  days=working_days_for(DeadlineStep.CLOSE, track=case.track,
                                        priority=case.priority))
    return reply
