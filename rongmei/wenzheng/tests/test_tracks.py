"""End to end, one test per track: submission → triage → dispatch → unit work → reviewed reply
→ rating, with the clock frozen across the 2026 National Day holiday (1–7 October) and its
make-up working day (Saturday 10 October)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rongmei.accounts.models import SmsMessage
from rongmei.wenzheng import services
from rongmei.wenzheng.models import (
    AssignmentStatus,
    CaseDeadline,
    CaseEvent,
    CaseState,
    DeadlineStep,
    EventKind,
    PublicStatus,
    Track,
)

from .conftest import submit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SH)


def local_due(case, step, assignment=None):
    qs = CaseDeadline.objects.filter(case=case, step=step)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    return qs.latest("pk").due_at.astimezone(SH).strftime("%Y-%m-%d %H:%M")


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_track_one_across_national_day_with_return_extension_send_back_and_escalation(
        wz, django_capture_on_commit_callbacks):
    with time_machine.travel(at("2026-09-30"), tick=False) as clock, \
            django_capture_on_commit_callbacks(execute=True):
        case = submit(wz)
        assert case.public_status == PublicStatus.PENDING and case.receipt_no.startswith("WZ")
        # Review: one working day; 1–7 October are holidays, so it is due on the 8th.
        assert local_due(case, DeadlineStep.REVIEW) == "2026-10-08 23:59"

        clock.move_to(at("2026-10-08", "09:00"))
        services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.SIMPLE)
        wrong = services.dispatch_to_unit(actor=wz.handler, case_id=case.pk,
                                          unit_id=wz.county.baishui.pk,
                                          contact_note="电话联系白水镇党政办")
        # 退单: 白水镇 says the street lights are not theirs; the newsroom agrees.
        req = services.return_request(actor=wz.other_unit_handler, assignment_id=wrong.pk,
                                      reason="路灯由县住建局负责，非本单位职责")
        services.request_decide(actor=wz.handler, request_id=req.pk, approve=True)
        case.refresh_from_db()
        wrong.refresh_from_db()
        assert case.state == CaseState.ACCEPTED and wrong.status == AssignmentStatus.RETURNED
        assignment = services.redispatch(actor=wz.handler, case_id=case.pk,
                                         unit_id=wz.county.housing.pk)
        # Acknowledge: one working day → Friday the 9th. Reply (simple, normal): 7 working
        # days from the 8th, counting the make-up Saturday the 10th → Friday the 16th.
        assert local_due(case, DeadlineStep.ACKNOWLEDGE, assignment) == "2026-10-09 23:59"
        assert local_due(case, DeadlineStep.REPLY) == "2026-10-16 23:59"

        clock.move_to(at("2026-10-09", "08:00"))  # due today: 催办
        assert services.wenzheng_tick()["reminded"] == 1
        clock.move_to(at("2026-10-10", "00:10"))  # passed: the breach is recorded
        assert services.wenzheng_tick()["breached"] == 1
        # The 10th is a make-up working day, so a full working day overdue is reached on it:
        clock.move_to(at("2026-10-10", "00:20"))
        assert services.wenzheng_tick()["escalated"] == 0  # not yet a working day late
        clock.move_to(at("2026-10-11", "00:20"))  # Sunday: the 10th (make-up day) has passed
        assert services.wenzheng_tick()["escalated"] == 1
        ack = CaseDeadline.objects.get(assignment=assignment, step=DeadlineStep.ACKNOWLEDGE)
        assert ack.breached_at is not None and ack.escalated_at is not None
        assert services.wenzheng_tick()["escalated"] == 0  # never twice

        clock.move_to(at("2026-10-12", "09:00"))
        services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=assignment.pk)
        services.contact_log(actor=wz.unit_handler, assignment_id=assignment.pk, method="phone",
                             note="已电话联系李先生，约定周三到现场")
        ext = services.extension_request(actor=wz.unit_handler, assignment_id=assignment.pk,
                                         days=3, reason="需要采购灯具")
        services.request_decide(actor=wz.handler, request_id=ext.pk, approve=True)
        # Three more working days after the 16th: 19, 20, 21 October.
        assert local_due(case, DeadlineStep.REPLY) == "2026-10-21 23:59"
        services.progress_note(actor=wz.unit_handler, assignment_id=assignment.pk,
                               note="灯具已采购，正在安装", public=True)
        reply = services.reply_draft(actor=wz.unit_handler, assignment_id=assignment.pk,
                                     text="已更换三盏路灯，恢复照明。")
        services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=False,
                              note="请说明今后的巡查安排")
        case.refresh_from_db()
        assert case.state == CaseState.IN_PROGRESS and case.reply_text == ""
        reply = services.reply_draft(actor=wz.unit_handler, assignment_id=assignment.pk,
                                     text="已更换三盏路灯，恢复照明，并纳入每月巡查。")
        services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True,
                              text="已更换村口三盏路灯并恢复照明，今后纳入每月巡查。")
        case.refresh_from_db()
        assert case.public_status == PublicStatus.ANSWERED
        assert case.reply_unit == wz.county.housing and "每月巡查" in case.reply_text

        services.case_rate(user=wz.resident, case_id=case.pk, satisfaction="satisfied",
                           resolved="yes")
        case.refresh_from_db()
        assert case.public_status == PublicStatus.CLOSED
        reply_deadline = CaseDeadline.objects.filter(case=case, step=DeadlineStep.REPLY).latest("pk")
        assert reply_deadline.met_at is not None and reply_deadline.breached_at is None
    history = kinds(case)
    for kind in (EventKind.SUBMITTED, EventKind.ACCEPTED, EventKind.RETURN_REQUESTED,
                 EventKind.RETURN_DECIDED, EventKind.REMINDED, EventKind.BREACHED,
                 EventKind.ESCALATED, EventKind.EXTENSION_DECIDED, EventKind.REPLY_SENT_BACK,
                 EventKind.ANSWERED, EventKind.RATED, EventKind.CLOSED):
        assert kind in history
    # The public timeline hides internal steps (returns, send-backs, escalations).
    public = set(CaseEvent.objects.filter(case=case, public=True).values_list("kind", flat=True))
    assert EventKind.REPLY_SENT_BACK not in public and EventKind.ESCALATED not in public
    assert EventKind.ANSWERED in public
    # Notified in-app and by SMS of every public status change.
    statuses = ["已受理", "办理中", "已答复", "已办结"]
    from rongmei.notices.models import Notice

    texts = " ".join(Notice.objects.filter(user=wz.resident, kind="wenzheng_status")
                     .values_list("title", flat=True))
    assert all(s in texts for s in statuses)
    assert SmsMessage.objects.filter(phone="13912345678", template="wenzheng_status").count() >= 4


def test_track_two_goes_to_the_areas_grid_leaders_and_reopens(wz, django_capture_on_commit_callbacks):
    case = submit(wz)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.HARD, priority="urgent")
    assignment = services.dispatch_to_grid(actor=wz.handler, case_id=case.pk)
    assert assignment.unit == wz.county.shangtang
    from rongmei.core.errors import NotFoundError, PermissionDeniedError

    # 白水镇's 三长 is not this area's: another area's assignment is not even shown to exist
    with pytest.raises(NotFoundError):
        services.assignment_acknowledge(actor=wz.other_grid_leader, assignment_id=assignment.pk)
    with pytest.raises((PermissionDeniedError, NotFoundError)):  # a unit handler is not a grid leader
        services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=assignment.pk)
    services.assignment_acknowledge(actor=wz.grid_leader, assignment_id=assignment.pk)
    reply = services.reply_draft(actor=wz.grid_leader, assignment_id=assignment.pk,
                                 text="三长已协调村委会，路灯已修复。")
    services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True)
    services.case_reopen(user=wz.resident, case_id=case.pk, reason="只修了一盏，另外两盏还是坏的")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.reopen_count == 1
    reply = services.reply_draft(actor=wz.grid_leader, assignment_id=assignment.pk,
                                 text="另外两盏路灯也已修复，请您查看。")
    services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True)
    from rongmei.points.models import EarningRule, PointsAccount
    EarningRule.objects.update_or_create(action="wenzheng_helpful", defaults={
        "label": "问政答复获好评", "points": 2, "daily_cap": 10, "is_active": True})
    with django_capture_on_commit_callbacks(execute=True):
        services.case_rate(user=wz.resident, case_id=case.pk, satisfaction="basic",
                           resolved=True)
    case.refresh_from_db()
    assert case.public_status == PublicStatus.CLOSED
    assert case.ratings.count() == 1 and case.ratings.get().round == 1
    # The 三长 whose reply was rated helpful earns the operators' points.
    assert PointsAccount.objects.get(user=wz.grid_leader).balance == 2


def test_track_three_briefing_notice_instruction_and_rating(wz, make_user):
    from rongmei.core.errors import PermissionDeniedError
    from rongmei.core.roles import WENZHENG_HANDLER

    case = submit(wz, title="上塘村污水直排荷塘")
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.COMPLEX)
    briefing = services.briefing_draft(actor=wz.handler, case_id=case.pk,
                                       title="关于上塘村生活污水直排荷塘的舆情",
                                       body="网民反映……建议由县住建局牵头、荷塘镇协办。")
    assert briefing.number.startswith("舆情内参〔") and briefing.seq == 1
    services.briefing_send_for_review(actor=wz.handler, briefing_id=briefing.pk)
    with pytest.raises(PermissionDeniedError):  # not by the drafter
        services.briefing_review(actor=wz.handler, briefing_id=briefing.pk, approve=True)
    services.briefing_review(actor=wz.reviewer, briefing_id=briefing.pk, approve=True)
    services.briefing_submit(actor=make_user(WENZHENG_HANDLER), briefing_id=briefing.pk)
    with pytest.raises(PermissionDeniedError):  # only 宣传部 issues the notice
        services.notice_issue(actor=wz.handler, briefing_id=briefing.pk,
                              lead_unit_id=wz.county.housing.pk)
    notice = services.notice_issue(
        actor=wz.propaganda, briefing_id=briefing.pk, lead_unit_id=wz.county.housing.pk,
        assisting_unit_ids=[wz.county.hetang.pk], copied_to=["县委书记王某", "分管副县长张某"],
        requirements="请于期限内查明情况并答复网民")
    assert notice.number.startswith("舆情处置转办〔") and notice.assisting_units.count() == 1
    services.instruction_record(actor=wz.propaganda, case_id=case.pk, leader="分管副县长张某",
                                text="请住建局牵头，限期整改。")
    lead = case.assignments.get(role="lead")
    assist = case.assignments.get(role="assist")
    services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=lead.pk)
    hetang_handler = make_user("unit_handler", unit=wz.county.hetang)
    services.assignment_acknowledge(actor=hetang_handler, assignment_id=assist.pk)
    services.progress_note(actor=hetang_handler, assignment_id=assist.pk, note="已排查排污口")
    from rongmei.core.errors import ServiceError

    with pytest.raises(ServiceError) as excinfo:  # assisting units do not reply
        services.reply_draft(actor=hetang_handler, assignment_id=assist.pk,
                             text="协办单位的答复内容不少于十个字")
    assert excinfo.value.code == "lead_only"
    reply = services.reply_draft(actor=wz.unit_handler, assignment_id=lead.pk,
                                 text="已铺设污水管网，直排问题已整改到位。")
    services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True)
    services.case_rate(user=wz.resident, case_id=case.pk, satisfaction="unsatisfied",
                       resolved=False, comment="气味还在")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.instructions.count() == 1
