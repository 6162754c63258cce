"""STAFF_SECOND_FACTOR=sms: the staff password alone never opens the console; the code texted
to the staff member's own phone does, once, within five minutes."""

from __future__ import annotations

import re

import pytest

from rongmei.accounts.models import SmsMessage
from rongmei.tests_support import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def second_factor(settings):
    settings.STAFF_SECOND_FACTOR = "sms"


def staff_code(phone: str) -> str:
    message = (SmsMessage.objects.filter(phone=phone, template="staff_login_code")
               .order_by("-created_at").first())
    assert message is not None, "no console code was texted"
    assert "管理后台" in message.body
    return re.search(r"\d{6}", message.body).group(0)


def password_step(client, staff, next_path="/admin/pages/"):
    return client.post("/admin/login/", {"username": staff.phone, "password": PASSWORD,
                                         "next": next_path})


def test_the_password_alone_does_not_open_the_console(client, make_user):
    editor = make_user("editor")
    response = password_step(client, editor)
    assert response.status_code == 302 and response["Location"] == "/admin/login/code/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    page = client.get("/admin/login/code/").content.decode()
    assert "验证码已发送至 " in page and editor.phone not in page  # the number is masked
    response = client.post("/admin/login/code/", {"code": staff_code(editor.phone)})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_in_chinese_and_guesses_are_limited(client, make_user):
    editor = make_user("editor")
    password_step(client, editor)
    right = staff_code(editor.phone)
    wrong = "000000" if right != "000000" else "111111"
    response = client.post("/admin/login/code/", {"code": wrong})
    assert response.status_code == 400
    assert "验证码错误，还可尝试4次" in response.content.decode()
    for _ in range(4):
        client.post("/admin/login/code/", {"code": wrong})
    response = client.post("/admin/login/code/", {"code": right})
    assert "验证码错误次数过多" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_code_step_needs_the_password_step_and_expires(client, make_user, monkeypatch):
    from rongmei.accounts import staff_login

    editor = make_user("editor")
    assert client.get("/admin/login/code/")["Location"].startswith("/admin/login/")
    password_step(client, editor)
    code = staff_code(editor.phone)
    monkeypatch.setattr(staff_login, "PENDING_SECONDS", -1)  # five minutes went by
    response = client.post("/admin/login/code/", {"code": code})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/").status_code == 302


def test_a_resident_sms_login_code_does_not_pass_the_console_step(client, make_user):
    """Codes are per purpose: a code from the resident login page is no console code."""
    from rongmei.accounts import selectors

    editor = make_user("editor")
    password_step(client, editor)
    type(client)().post("/login/", {"phone": editor.phone, "action": "send"})  # another device
    resident_code = selectors.outbox_latest_code(phone=editor.phone)
    assert resident_code
    if resident_code != staff_code(editor.phone):  # one in a million they are equal
        response = client.post("/admin/login/code/", {"code": resident_code})
        assert response.status_code == 400
        assert client.get("/admin/").status_code == 302


def test_the_next_address_stays_on_this_site(client, make_user):
    editor = make_user("editor")
    password_step(client, editor, next_path="https://evil.example/")
    response = client.post("/admin/login/code/", {"code": staff_code(editor.phone)})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")
