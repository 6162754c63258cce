"""Every notice reaches someone: the citizen hears of every change by their chosen channel
(待补充 included, which now times out as 补充超时); 催办 and 督办 reach the unit's people by
inbox and by SMS with their own templates; the review step's breaches reach the newsroom and
总编辑; failures are visible in the console and can be sent again; the phone workspace is
linked from 我的."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from rongmei.accounts.models import SmsMessage
from rongmei.core.roles import OPERATOR
from rongmei.notices.models import Notice
from rongmei.wenzheng.models import CaseState, PublicStatus

from .conftest import answer, at, dispatch_simple, notices_of, submit

pytestmark = pytest.mark.django_db


def tick() -> str:
    from io import StringIO

    out = StringIO()
    call_command("wenzheng_tick", stdout=out)
    return out.getvalue()


def test_needs_info_tells_the_citizen_by_their_channel_and_closes_after_the_deadline(
        client, wz, django_capture_on_commit_callbacks):
    with time_machine.travel(at("2026-06-01", "09:00"), tick=False) as clock:  # a Monday
        by_sms = submit(wz)
        in_app = submit(wz, user=wz.other_resident, contact_preference="app",
                        contact_phone="13800001111")
        client.force_login(wz.handler)
        with django_capture_on_commit_callbacks(execute=True):  # SMS leave on commit
            for case in (by_sms, in_app):
                client.post("/admin/wenzheng_triage/", {"case": case.pk, "action": "info",
                                                        "question": "请提供路灯杆上的编号"})
        by_sms.refresh_from_db()
        assert by_sms.state == CaseState.NEEDS_INFO
        notice = notices_of(wz.resident, "wenzheng_status").get()
        assert "需要您补充信息" in notice.title and "路灯杆上的编号" in notice.body
        sms = SmsMessage.objects.get(phone="13912345678", template="wenzheng_status")
        assert "需要您补充信息" in sms.body and by_sms.receipt_no in sms.body
        assert notices_of(wz.other_resident, "wenzheng_status").count() == 1
        assert not SmsMessage.objects.filter(phone="13800001111").exists()  # chose in-app only
        client.force_login(wz.resident)
        page = client.get(f"/wenzheng/mine/{by_sms.pk}/").content.decode()
        assert "请于6月8日前补充" in page  # five working days (the default rule)

        clock.move_to(at("2026-06-08", "08:00"))  # the last day: a reminder
        assert "补充超时 0 件" in tick()
        assert notices_of(wz.resident, "wenzheng_status").filter(
            title__contains="今天补充").exists()
        clock.move_to(at("2026-06-09", "00:10"))
        assert "补充超时 2 件" in tick()
        by_sms.refresh_from_db()
        assert by_sms.state == CaseState.INFO_TIMEOUT
        assert by_sms.public_status == PublicStatus.CLOSED
        assert notices_of(wz.resident, "wenzheng_status").filter(
            title__contains="未按期补充").exists()
        assert "补充超时 0 件" in tick()  # never twice
        page = client.get(f"/wenzheng/mine/{by_sms.pk}/").content.decode()
        assert "本次问政已结束" in page and 'name="action" value="info"' not in page
        late = client.post(f"/api/v1/wenzheng/mine/{by_sms.pk}/info", {"text": "现在补充行不行"})
        assert late.status_code == 409 and late.json()["code"] == "wrong_state"


def test_the_info_deadline_is_configurable_as_a_working_day_rule(client, wz):
    from rongmei.wenzheng.models import DeadlineRule

    DeadlineRule.objects.create(step="info", working_days=2)
    with time_machine.travel(at("2026-06-01", "09:00"), tick=False):
        case = submit(wz)
        client.force_login(wz.handler)
        client.post("/admin/wenzheng_triage/", {"case": case.pk, "action": "info",
                                                "question": "请补充具体位置"})
        client.force_login(wz.resident)
        assert "请于6月3日前补充" in client.get(f"/wenzheng/mine/{case.pk}/").content.decode()


def test_urge_and_escalation_reach_the_unit_by_inbox_and_their_own_sms_templates(
        client, wz, sms_gateway, django_capture_on_commit_callbacks):
    committed = django_capture_on_commit_callbacks
    with time_machine.travel(at("2026-06-01", "09:00"), tick=False) as clock:
        with committed(execute=True):
            case, assignment = dispatch_simple(client, wz, wz.county.housing)
        # Dispatching already told the unit: a 待办 and the "new case" template.
        assert notices_of(wz.unit_handler, "wenzheng_assigned", open_todo=True).exists()
        assert [r["payload"]["TemplateId"] for r in sms_gateway.received
                if r["payload"]["PhoneNumberSet"] == [f"+86{wz.unit_handler.phone}"]] == ["1000002"]
        sms_gateway.received.clear()

        clock.move_to(at("2026-06-02", "08:00"))  # the acknowledge deadline's day
        with committed(execute=True):
            assert "催办 1 件" in tick()
        urge = [r["payload"] for r in sms_gateway.received
                if r["payload"]["TemplateId"] == "1000003"]
        assert urge and urge[0]["TemplateParamSet"] == [case.receipt_no, "签收"]
        assert urge[0]["PhoneNumberSet"] == [f"+86{wz.unit_handler.phone}"]
        client.force_login(wz.unit_handler)
        inbox = client.get("/notices/?box=todo").content.decode()
        assert "【催办】" in inbox
        sms_gateway.received.clear()

        clock.move_to(at("2026-06-03", "00:10"))
        assert "超期 1 件" in tick()
        clock.move_to(at("2026-06-04", "00:10"))
        with committed(execute=True):
            assert "督办 1 件" in tick()
        escalate = [r["payload"] for r in sms_gateway.received
                    if r["payload"]["TemplateId"] == "1000004"]
        assert escalate and escalate[0]["TemplateParamSet"] == [case.receipt_no, "签收"]
        todo = notices_of(wz.unit_handler, "wenzheng_escalate", open_todo=True).get()
        # The newsroom supervises: it hears of every 督办.
        assert notices_of(wz.handler, "wenzheng_update").filter(title__contains="【督办】").exists()
        assert not Notice.objects.filter(sms_state="failed").exists()

        client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
        todo.refresh_from_db()
        assert todo.done_at is not None  # signing closed the 待办


def test_a_missing_template_id_fails_visibly_and_can_be_sent_again(
        client, wz, sms_gateway, make_user, django_capture_on_commit_callbacks):
    from django.core.checks import run_checks

    del sms_gateway_templates(client)["wenzheng_assigned"]
    assert any(w.id == "notices.W001" and "wenzheng_assigned" in w.msg for w in run_checks())
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_simple(client, wz, wz.county.housing)
    failed = Notice.objects.get(user=wz.unit_handler, kind="wenzheng_assigned")
    assert failed.sms_state == "failed" and "未配置模板ID" in failed.sms_error
    operator = make_user(OPERATOR)
    client.force_login(operator)
    assert "有1条短信发送失败" in client.get("/admin/").content.decode()
    screen = client.get("/admin/notices_sms/").content.decode()
    assert "未配置模板ID" in screen and "wenzheng_assigned" in screen
    sms_gateway_templates(client)["wenzheng_assigned"] = "1000002"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/notices_sms/", {"all": "1"})
    failed.refresh_from_db()
    assert failed.sms_state == "sent" and failed.sms_attempts == 2
    # Residents and unit staff cannot resend.
    client.force_login(wz.unit_handler)
    assert client.post("/admin/notices_sms/", {"all": "1"}).status_code in (302, 403)


def sms_gateway_templates(client):
    from django.conf import settings

    return settings.SMS_TENCENT["TEMPLATES"]


def test_review_step_breaches_reach_the_newsroom_and_escalate_to_the_director(client, wz):
    director = wz.reviewer  # 总编辑
    assert director.groups.filter(name="总编辑（终审）").exists()
    with time_machine.travel(at("2026-06-01", "09:00"), tick=False) as clock:
        case = submit(wz)
        clock.move_to(at("2026-06-02", "08:00"))
        tick()
        assert notices_of(wz.handler, "wenzheng_urge", open_todo=True).exists()
        clock.move_to(at("2026-06-03", "00:10"))
        tick()
        assert notices_of(wz.handler, "wenzheng_overdue", open_todo=True).exists()
        clock.move_to(at("2026-06-04", "00:10"))
        tick()
        assert notices_of(director, "wenzheng_escalate", open_todo=True).filter(
            title__contains=case.receipt_no).exists()
        client.force_login(wz.handler)
        client.post("/admin/wenzheng_triage/", {"case": case.pk, "action": "accept",
                                                "track": "1", "priority": "normal"})
        assert not Notice.objects.filter(todo_key__startswith="wz:deadline:",
                                         done_at__isnull=True).exists()


def test_a_unit_nobody_may_act_for_is_reported_to_the_newsroom(client, wz):
    case, _ = dispatch_simple(client, wz, wz.county.center)  # the centre has no handler
    todo = notices_of(wz.handler, "wenzheng_assigned", open_todo=True).get()
    assert "无人接收" in todo.title


def test_the_phone_workspace_and_the_inbox_are_linked_from_me(client, wz):
    client.force_login(wz.unit_handler)
    me = client.get("/me/").content.decode()
    assert 'href="/wenzheng/work/"' in me and 'href="/notices/"' in me
    client.force_login(wz.grid_leader)
    assert 'href="/wenzheng/work/"' in client.get("/me/").content.decode()
    client.force_login(wz.resident)
    me = client.get("/me/").content.decode()
    assert 'href="/wenzheng/work/"' not in me and 'href="/notices/"' in me
    assert 'href="/wenzheng/mine/"' in me


def test_staff_see_their_todos_in_the_console_and_on_the_phone(client, wz):
    case, assignment = dispatch_simple(client, wz, wz.county.housing)
    client.force_login(wz.unit_handler)
    work = client.get("/wenzheng/work/").content.decode()
    assert "待办 1 件" in work
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
    client.post(f"/wenzheng/work/{assignment.pk}/", {
        "action": "reply", "text": "路灯已经全部修好了，感谢您的反映。"})
    client.force_login(wz.handler)
    home = client.get("/admin/").content.decode()
    assert "我的待办（1）" in home and "答复待审核" in home
    inbox = client.get("/admin/notices_inbox/").content.decode()
    assert f"问政{case.receipt_no}的答复待审核" in inbox
    client.post("/admin/wenzheng_replies/", {"reply": case.replies.get().pk,
                                             "decision": "send_back", "note": "请写明修复时间"})
    # Sent back: the unit has a 待办 again, the newsroom's is done.
    assert notices_of(wz.unit_handler, "wenzheng_sent_back", open_todo=True).exists()
    assert not notices_of(wz.handler, "wenzheng_review", open_todo=True).exists()


def test_deleted_accounts_get_no_more_notices_or_sms(client, wz,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case, assignment = dispatch_simple(client, wz, wz.county.housing)
    assert SmsMessage.objects.filter(phone="13912345678").exists()  # told so far
    client.force_login(wz.resident)
    client.post("/me/delete/", {"confirm": "确认注销"})
    before = SmsMessage.objects.filter(template="wenzheng_status").count()
    with django_capture_on_commit_callbacks(execute=True):
        answer(client, wz, case, assignment)
    assert SmsMessage.objects.filter(template="wenzheng_status").count() == before
    assert not Notice.objects.filter(user=wz.resident).exists()
