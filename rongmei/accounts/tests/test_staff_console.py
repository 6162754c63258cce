"""Staff log in to the Wagtail console with phone + password; repeated failures lock."""

import pytest

from rongmei.tests_support import PASSWORD


def login(client, phone, password):
    return client.post("/admin/login/", {"username": phone, "password": password})


@pytest.mark.django_db
def test_console_login_page_is_chinese_and_branded(client, settings):
    body = client.get("/admin/login/").content.decode()
    assert settings.RONGMEI_SITE_NAME in body
    assert "手机号" in body and "密码" in body


@pytest.mark.django_db
def test_staff_logs_in_with_phone_and_password(client, make_user):
    editor = make_user("editor")
    response = login(client, editor.phone, PASSWORD)
    assert response.status_code == 302
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "欢迎使用" in home.content.decode()


@pytest.mark.django_db
def test_residents_cannot_enter_the_console(client, make_user):
    resident = make_user()
    login(client, resident.phone, PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, make_user,
                                                                        settings):
    settings.STAFF_LOGIN_MAX_FAILURES = 3
    editor = make_user("editor")
    for _ in range(3):
        failed = login(client, editor.phone, "wrong-password")
        assert failed.status_code == 200
        assert "手机号或密码错误" in failed.content.decode()
    locked = login(client, editor.phone, PASSWORD)
    assert locked.status_code == 200
    assert "临时锁定" in locked.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_success_resets_the_failure_count(client, make_user, settings):
    settings.STAFF_LOGIN_MAX_FAILURES = 3
    editor = make_user("editor")
    login(client, editor.phone, "wrong")
    login(client, editor.phone, "wrong")
    assert login(client, editor.phone, PASSWORD).status_code == 302
    client.logout()
    login(client, editor.phone, "wrong")
    login(client, editor.phone, "wrong")
    assert login(client, editor.phone, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_administrator_sees_dashboard_summary_and_user_screens(client, make_user):
    admin = make_user("administrator")
    client.force_login(admin)
    home = client.get("/admin/").content.decode()
    assert "平台概况" in home and "注册用户" in home
    users = client.get("/admin/users/?q=" + admin.phone[-4:])
    assert users.status_code == 200
    add = client.get("/admin/users/new/")
    assert add.status_code == 200
    form = add.content.decode()
    assert 'name="phone"' in form and 'name="first_name"' not in form


@pytest.mark.django_db
def test_administrator_creates_a_staff_account_by_phone(client, make_user):
    from django.contrib.auth.models import Group

    from rongmei.accounts.models import User

    admin = make_user("administrator")
    client.force_login(admin)
    group = Group.objects.get(name="记者")
    response = client.post("/admin/users/new/", {
        "phone": "139 0000 9999", "name": "新记者", "nickname": "", "email": "",
        "password1": "Xk9!long-pass", "password2": "Xk9!long-pass", "groups": [group.pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(phone="13900009999")
    assert user.name == "新记者" and user.groups.filter(name="记者").exists()
