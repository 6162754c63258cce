"""Who hears of what in 问政, through the one notice mechanism (``rongmei.notices``).

* The citizen: every change of their case they should know of, in 我的 → 消息, and by SMS
  when they chose SMS (``wenzheng_status``: 受理编号 and status).
* Units (责任单位办理员, 三长 — whoever may act in the unit, nearest level first): new
  cases to sign for, replies sent back, reopened cases, 催办 and 督办 (with SMS).
* The newsroom (问政专员; else 总编辑; else administrators): what waits for its review or
  decision, review-step deadlines, 督办 of units, and anything a unit could not be told
  because nobody there may act — every notice reaches someone.

Staff notices are 待办 keyed by what they are about; the action that does the thing closes
them (``resolve``). Links point at the phone workspace for units and at the console for the
newsroom.
"""

from __future__ import annotations

from django.urls import reverse

from rongmei.core.roles import (
    ADMINISTRATOR,
    DIRECTOR,
    GRID_LEADER,
    OPERATOR,
    PROPAGANDA,
    UNIT_HANDLER,
    WENZHENG_HANDLER,
)
from rongmei.notices import kinds
from rongmei.notices import services as notices
from rongmei.units.access import people_acting_in, people_with_role

STATUS = "wenzheng_status"
ASSIGNED = "wenzheng_assigned"
URGE = "wenzheng_urge"
ESCALATE = "wenzheng_escalate"
OVERDUE = "wenzheng_overdue"
SENT_BACK = "wenzheng_sent_back"
REVIEW = "wenzheng_review"
UPDATE = "wenzheng_update"
CALENDAR = "wenzheng_calendar"


def register_kinds() -> None:
    kinds.register(STATUS, label="问政进度（群众）",
                   sms_text="您反映的问题（受理编号{receipt}）{status}，请登录融媒客户端“问政”查看详情。")
    kinds.register(ASSIGNED, label="新问政待签收",
                   sms_text="您单位有新的问政待签收（受理编号{receipt}），请登录融媒客户端“我的—问政承办”办理。")
    kinds.register(URGE, label="问政催办",
                   sms_text="【催办】问政{receipt}{step}今日到期，请及时办理。")
    kinds.register(ESCALATE, label="问政督办",
                   sms_text="【督办】问政{receipt}{step}已超期，请立即办理。")
    kinds.register(OVERDUE, label="问政超期")
    kinds.register(SENT_BACK, label="问政退回重办",
                   sms_text="问政{receipt}需重新办理，请登录融媒客户端“我的—问政承办”查看。")
    kinds.register(REVIEW, label="问政待审核")
    kinds.register(UPDATE, label="问政办理通知")
    kinds.register(CALENDAR, label="节假日安排")


# --- keys of 待办 -----------------------------------------------------------------------------

def deadline_key(deadline_id) -> str:
    return f"wz:deadline:{deadline_id}"


def assignment_key(assignment_id) -> str:
    return f"wz:assignment:{assignment_id}"


def case_key(case_id, what: str) -> str:
    return f"wz:case:{case_id}:{what}"


def calendar_key(year: int) -> str:
    return f"wz:calendar:{year}"


def about(case_or_id) -> str:
    return f"wenzheng.case:{getattr(case_or_id, 'pk', case_or_id)}"


def resolve(*keys: str) -> None:
    notices.resolve(todo_keys=keys)


# --- who ---------------------------------------------------------------------------------------

def newsroom_people() -> list:
    for role in (WENZHENG_HANDLER, DIRECTOR, ADMINISTRATOR):
        people = list(people_with_role(role))
        if people:
            return people
    return []


def supervisors() -> list:
    return list(people_with_role(DIRECTOR)) or newsroom_people()


def propaganda_people() -> list:
    return list(people_with_role(PROPAGANDA)) or newsroom_people()


def operator_people() -> list:
    return list(people_with_role(OPERATOR)) or list(people_with_role(ADMINISTRATOR))


def unit_people(unit, assignment_role: str) -> list:
    from ..models import AssignmentRole

    role = GRID_LEADER if assignment_role == AssignmentRole.GRID else UNIT_HANDLER
    return people_acting_in(unit, role)


# --- links -------------------------------------------------------------------------------------

def work_link(assignment) -> str:
    return reverse("wenzheng:work_item", args=[assignment.pk])


def console_link(screen: str, case=None) -> str:
    url = reverse(f"{screen}:index")
    return f"{url}?case={case.pk}" if case is not None else url


def mine_link(case) -> str:
    return reverse("wenzheng:mine_case", args=[case.pk])


# --- sending -----------------------------------------------------------------------------------

def citizen(case, *, status: str, detail: str = "", phone: str = "") -> None:
    """Tell the citizen where their case stands (in-app; SMS if they chose it)."""
    from ..models import ContactPreference

    if case.user_id is None or case.purged_at is not None:
        return
    user = case.user
    wants_sms = case.contact_preference == ContactPreference.SMS
    notices.notify(
        user=user, kind=STATUS, title=f"您的问政{status}",
        body=f"“{case.title[:20]}”{status}" + (f"：{detail[:120]}" if detail else ""),
        link=mine_link(case), about=about(case),
        sms_params={"receipt": case.receipt_no, "status": status} if wants_sms else None,
        sms_phone=(phone or user.phone or "") if wants_sms else "")


def citizen_message(case, *, title: str, body: str) -> None:
    """Something the citizen may like to know that is not a change of status (in-app)."""
    if case.user_id is None or case.purged_at is not None:
        return
    notices.notify(user=case.user, kind=UPDATE, title=title, body=body, link=mine_link(case),
                   about=about(case))


def newsroom(*, kind: str, title: str, body: str = "", link: str = "", key: str = "",
             people=None, case=None) -> None:
    """Tell the newsroom (or ``people``, e.g. 宣传部 or operators, in the console)."""
    notices.notify(users=people if people is not None else newsroom_people(), kind=kind,
                   title=title, body=body, link=link or console_link("wenzheng_cases", case),
                   todo_key=key, about=about(case) if case is not None else "")


def unit(assignment, *, kind: str, title: str, body: str = "", key: str = "",
         sms_params: dict | None = None) -> None:
    """Tell the people who may act on ``assignment``; when nobody in or above its unit
    may, the newsroom gets it instead, saying so."""
    people = unit_people(assignment.unit, assignment.role)
    if people:
        notices.notify(users=people, kind=kind, title=title, body=body,
                       link=work_link(assignment), todo_key=key, sms_params=sms_params,
                       about=about(assignment.case_id))
        return
    newsroom(kind=kind, title=f"{title}（{assignment.unit.name}无人接收）",
             body=f"{assignment.unit.name}没有可办理问政的人员，请电话通知或调整承办单位。{body}"[:300],
             case=assignment.case, key=key)
