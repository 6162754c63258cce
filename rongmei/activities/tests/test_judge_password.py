"""A 评委 named from a resident account has no console password; the operator is told, and the
judge sets one by SMS from the sign-in page, then scores (accounts' test_staff_password)."""

from __future__ import annotations

import pytest

from rongmei.accounts.models import User
from rongmei.accounts.tests.test_staff_password import NEW, PAGE, code_for
from rongmei.activities.models import ContestJudge
from rongmei.tests_support import make_user

from .conftest import make_contest

pytestmark = pytest.mark.django_db


def test_a_judge_named_from_a_resident_account_sets_a_password_and_scores(client, ax):
    resident = make_user(phone="13600000001", password=None, name="李老师")
    assert not resident.has_usable_password()
    contest = make_contest(ax.operator)
    client.force_login(ax.operator)
    named = client.post(f"/admin/activities/contests/{contest.pk}/",
                        {"action": "judge_add", "phone": resident.phone}, follow=True)
    assert "还没有管理后台密码" in named.content.decode()
    assert ContestJudge.objects.filter(contest=contest, user=resident).exists()
    client.logout()

    assert "用短信验证码设置密码" in client.get("/admin/login/").content.decode()
    sent = client.post(PAGE, {"action": "send", "phone": resident.phone})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    assert "136****0001 是工作人员账号" in sent.content.decode()  # the notice masks it
    code = code_for(resident.phone)
    assert code is not None
    # Two different passwords, then a weak one: refused in Chinese, the code still good.
    differ = client.post(PAGE, {"action": "set", "phone": resident.phone, "code": code,
                                "password": NEW, "password2": NEW + "x"})
    assert differ.status_code == 400 and "两次输入的密码不一致" in differ.content.decode()
    weak = client.post(PAGE, {"action": "set", "phone": resident.phone, "code": code,
                              "password": "12345678", "password2": "12345678"})
    assert weak.status_code == 400 and "密码" in weak.content.decode()
    assert not User.objects.get(pk=resident.pk).has_usable_password()
    done = client.post(PAGE, {"action": "set", "phone": resident.phone, "code": code,
                              "password": NEW, "password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/admin/login/"
    # The code is spent: a second use is refused.
    again = client.post(PAGE, {"action": "set", "phone": resident.phone, "code": code,
                               "password": "Another@2027", "password2": "Another@2027"})
    assert again.status_code == 400 and "验证码" in again.content.decode()

    signed_in = client.post("/admin/login/", {"username": resident.phone, "password": NEW})
    assert signed_in.status_code == 302
    assert client.get(f"/admin/activities/judging/{contest.pk}/").status_code == 200


