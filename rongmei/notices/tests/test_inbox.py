"""The one notice mechanism: an inbox (待办/消息) on the phone, in the console and through the
API; SMS by the kind's own template, sent after commit, with failures visible to operators
and sent again from the console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from rongmei.accounts.models import SmsMessage
from rongmei.core.roles import OPERATOR
from rongmei.notices import kinds, services
from rongmei.notices.models import Notice

pytestmark = pytest.mark.django_db

kinds.register("test_notice", label="测试通知", sms_text="您有新的{what}，编号{number}。")
kinds.register("test_quiet", label="测试消息")


def test_a_notice_shows_in_the_inbox_and_opening_it_marks_it_read(client, make_user):
    resident = make_user()
    [notice] = services.notify(user=resident, kind="test_quiet", title="您的问题已受理",
                               body="请留意办理进度", link="/wenzheng/")
    client.force_login(resident)
    page = client.get("/notices/?box=message").content.decode()
    assert "您的问题已受理" in page and "（未读）" in page
    assert client.get("/api/v1/notices/counts").json() == {"todo": 0, "message": 1, "total": 1}
    response = client.get(f"/notices/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == "/wenzheng/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get("/api/v1/notices/counts").json()["message"] == 0


def test_someone_elses_notice_does_not_exist(client, make_user):
    owner, other = make_user(), make_user()
    [notice] = services.notify(user=owner, kind="test_quiet", title="只给本人看的消息")
    client.force_login(other)
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    response = client.post(f"/api/v1/notices/{notice.pk}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert "只给本人看的消息" not in client.get("/notices/?box=message").content.decode()
    assert client.get("/notices/").status_code == 200
    client.logout()
    assert client.get("/api/v1/notices").status_code == 401


def test_a_todo_is_replaced_by_a_newer_one_and_closed_when_done(client, make_user):
    staff = make_user()
    services.notify(user=staff, kind="test_quiet", title="请签收", todo_key="thing:1")
    services.notify(user=staff, kind="test_quiet", title="请立即签收（督办）", todo_key="thing:1")
    open_todos = Notice.objects.filter(user=staff, box="todo", done_at=None)
    assert [n.title for n in open_todos] == ["请立即签收（督办）"]
    client.force_login(staff)
    assert "请立即签收（督办）" in client.get("/notices/").content.decode()  # 待办 first
    assert services.resolve(todo_key="thing:1") == 1
    assert "没有待办事项" in client.get("/notices/?box=todo").content.decode()
    assert "请立即签收（督办）" in client.get("/notices/?box=todo&done=1").content.decode()


def test_links_stay_on_this_site_and_kinds_must_be_registered(make_user):
    user = make_user()
    for link in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            services.notify(user=user, kind="test_quiet", title="x", link=link)
    with pytest.raises(ValueError):
        services.notify(user=user, kind="never_registered", title="x")
    with pytest.raises(ValueError):  # the kind's SMS text names its parameters
        services.notify(user=user, kind="test_notice", title="x", sms_params={"what": "件"})


def test_sms_leave_after_commit_by_the_kinds_template(make_user,
                                                      django_capture_on_commit_callbacks):
    user = make_user(phone="13912340000")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(user=user, kind="test_notice", title="x",
                        sms_params={"number": "7", "what": "待办"})
        raise RuntimeError("the action failed")
    assert not SmsMessage.objects.exists() and not Notice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user=user, kind="test_notice", title="新待办",
                        sms_params={"number": "7", "what": "待办"})
    sms = SmsMessage.objects.get()
    assert sms.template == "test_notice" and sms.body == "您有新的待办，编号7。"
    notice = Notice.objects.get()
    assert notice.sms_state == "sent" and notice.sms_phone_encrypted == ""


def test_failed_sms_are_visible_to_operators_and_sent_again(
        client, make_user, settings, django_capture_on_commit_callbacks):
    user = make_user(phone="13912340001")
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_TENCENT = {**settings.SMS_TENCENT, "SECRET_ID": ""}
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = services.notify(user=user, kind="test_notice", title="新待办",
                                   sms_params={"what": "待办", "number": "8"})
    notice.refresh_from_db()
    assert notice.sms_state == "failed" and "腾讯云短信未配置" in notice.sms_error
    client.force_login(user)
    assert client.post("/admin/notices_sms/", {"all": "1"}).status_code == 302
    notice.refresh_from_db()
    assert notice.sms_state == "failed"  # a resident cannot resend
    operator = make_user(OPERATOR)
    client.force_login(operator)
    assert "腾讯云短信未配置" in client.get("/admin/notices_sms/").content.decode()
    settings.SMS_PROVIDER = "outbox"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/notices_sms/", {"notice": [notice.pk]})
    notice.refresh_from_db()
    assert notice.sms_state == "sent" and notice.sms_attempts == 2
    assert SmsMessage.objects.filter(template="test_notice", status="sent").count() == 1


def test_a_person_without_a_phone_is_told_in_the_inbox(make_user):
    user = make_user()
    user.phone = None
    user.save(update_fields=["phone"])
    [notice] = services.notify(user=user, kind="test_notice", title="x",
                               sms_params={"what": "待办", "number": "9"})
    assert notice.sms_state == "no_phone" and not SmsMessage.objects.exists()


def test_deleted_accounts_lose_their_inbox_and_get_nothing_new(client, make_user):
    resident = make_user()
    services.notify(user=resident, kind="test_quiet", title="旧消息")
    client.force_login(resident)
    client.post("/me/delete/", {"confirm": "确认注销"})
    resident.refresh_from_db()
    assert not Notice.objects.filter(user=resident).exists()
    assert services.notify(user=resident, kind="test_quiet", title="新消息") == []


def test_the_console_inbox_and_home_panel_show_what_waits(client, make_user):
    operator = make_user(OPERATOR)
    services.notify(user=operator, kind="test_quiet", title="请审核稿件", todo_key="story:1")
    services.notify(user=operator, kind="test_quiet", title="稿件已发布")
    client.force_login(operator)
    home = client.get("/admin/").content.decode()
    assert "我的待办（1）" in home and "请审核稿件" in home
    inbox = client.get("/admin/notices_inbox/").content.decode()
    assert "请审核稿件" in inbox and "稿件已发布" in inbox
    client.post("/admin/notices_inbox/")
    assert not Notice.objects.filter(user=operator, box="message", read_at=None).exists()


def test_old_read_messages_are_purged(make_user):
    user = make_user()
    [old] = services.notify(user=user, kind="test_quiet", title="很久以前")
    [new] = services.notify(user=user, kind="test_quiet", title="昨天")
    Notice.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200),
                                            read_at=timezone.now())
    call_command("notices_purge")
    assert list(Notice.objects.values_list("pk", flat=True)) == [new.pk]
