"""设置管理后台密码: someone named to a console role from a resident account (a 评委 named by
phone) never had a password and could not sign in to the console at all. They set one with a
code texted to their own phone, from the console's sign-in page; so does a staff member who
forgot theirs. A superuser is never served (another administrator resets theirs), and the
page never says whether a number is staff."""

from __future__ import annotations

import re

import pytest

from rongmei.accounts.models import SmsMessage, User
from rongmei.tests_support import make_user

pytestmark = pytest.mark.django_db

PAGE = "/admin/login/password/"
NEW = "Lianhua@2027"


def code_for(phone: str) -> str | None:
    message = (SmsMessage.objects.filter(phone=phone, template="staff_password_code")
               .order_by("-created_at").first())
    return re.search(r"\d{6}", message.body).group(0) if message else None


def test_no_code_for_a_superuser_a_resident_or_an_unknown_number_and_the_page_says_the_same(
        client):
    admin = make_user(phone="13700000002")
    User.objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    resident = make_user(phone="13700000003")
    answers = set()
    for phone in (admin.phone, resident.phone, "13700000004"):
        client.cookies.clear()
        answer = client.post(PAGE, {"action": "send", "phone": phone})
        assert answer.status_code == 200
        answers.add(answer.content.decode().replace(phone[:3] + "****" + phone[-4:], "*")
                    .replace(phone, "*"))
        assert code_for(phone) is None
        guessed = client.post(PAGE, {"action": "set", "phone": phone, "code": "123456",
                                     "password": NEW, "password2": NEW})
        assert guessed.status_code == 400
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"CSRF_TOKEN": "[^"]+"')
    normal = [token.sub("", a) for a in answers]
    assert len(set(normal)) == 1
    assert not User.objects.get(pk=admin.pk).check_password(NEW)


def test_a_staff_member_who_forgot_the_password_sets_a_new_one(client):
    editor = make_user("editor", phone="13700000005")
    client.post(PAGE, {"action": "send", "phone": editor.phone})
    done = client.post(PAGE, {"action": "set", "phone": editor.phone,
                              "code": code_for(editor.phone), "password": NEW, "password2": NEW})
    assert done.status_code == 302
    assert client.post("/admin/login/", {"username": editor.phone,
                                         "password": NEW}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_bad_number_is_a_chinese_error_not_a_500(client):
    for phone in ("", "1234", "１３７００００００１x", "137\u200b00000001x", "9" * 400):
        answer = client.post(PAGE, {"action": "send", "phone": phone})
        assert answer.status_code in (200, 400) and "手机号" in answer.content.decode()


def test_a_wrong_code_and_a_second_send_answer_the_same_for_staff_and_anyone_else(client):
    """Review finding: '还可尝试4次' and the 60-second wait were given to staff numbers only."""
    staff = make_user("editor", phone="13700000006")
    answers = {}
    for phone in (staff.phone, "13700000007"):
        client.cookies.clear()
        first = client.post(PAGE, {"action": "send", "phone": phone})
        again = client.post(PAGE, {"action": "send", "phone": phone})
        wrong = client.post(PAGE, {"action": "set", "phone": phone, "code": "000000",
                                   "password": NEW, "password2": NEW})
        answers[phone] = (first.status_code, again.status_code, wrong.status_code,
                          "验证码已发送，请" in again.content.decode(),
                          "验证码错误或已过期" in wrong.content.decode(),
                          "还可尝试" in wrong.content.decode())
    assert answers[staff.phone] == answers["13700000007"] == (200, 400, 400, True, True, False)


def test_a_weak_password_is_refused_in_chinese(client):
    editor = make_user("editor", phone="13700000008")
    client.post(PAGE, {"action": "send", "phone": editor.phone})
    for weak, message in [("abc", "密码太短"), ("12345678901", "不能全是数字"),
                          ("x" * 200, "不能超过128")]:
        answer = client.post(PAGE, {"action": "set", "phone": editor.phone,
                                    "code": code_for(editor.phone), "password": weak,
                                    "password2": weak}).content.decode()
        assert message in answer and "This password" not in answer


def test_the_personal_data_access_log_is_read_only_even_for_a_superuser(client):
    from rongmei.accounts.models import PersonalDataAccess

    admin = make_user(phone="13700000009")
    User.objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    look = PersonalDataAccess.objects.create(viewer=admin, subject=admin, what="实名信息",
                                             reason="核对")
    client.force_login(User.objects.get(pk=admin.pk))
    base = "/admin/personal_data_access/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}inspect/{look.pk}/").status_code == 200
    client.post(f"{base}edit/{look.pk}/", {"reason": "篡改"})
    client.post(f"{base}delete/{look.pk}/")
    client.post(f"{base}new/", {"reason": "伪造"})
    assert list(PersonalDataAccess.objects.values_list("reason", flat=True)) == ["核对"]
    for path in (f"{base}edit/{look.pk}/", f"{base}delete/{look.pk}/", f"{base}new/"):
        assert client.get(path).status_code in (302, 403, 404), path
