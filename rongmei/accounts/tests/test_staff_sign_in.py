"""Staff sign in as staff: a session from the resident SMS-code login never opens /admin/.

Every role that may enter the console is tried, and a superuser: signed in with a code
through the resident login page, the console asks for the password; signing in there with
the staff password (and only then) opens it.
"""

import pytest

from rongmei.accounts import selectors
from rongmei.core.roles import ROLES
from rongmei.tests_support import PASSWORD

CONSOLE_ROLES = [role.code for role in ROLES if role.console]


def sms_sign_in(client, phone: str) -> None:
    client.post("/login/", {"phone": phone, "action": "send"})
    code = selectors.outbox_latest_code(phone=phone)
    done = client.post("/login/", {"phone": phone, "code": code, "action": "verify"})
    assert done.status_code == 302
    assert client.get("/me/").status_code == 200  # signed in as a resident


def assert_console_closed(client) -> None:
    for path in ("/admin/", "/admin/pages/", "/admin/users/", "/admin/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/"), path


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*CONSOLE_ROLES, "superuser"])
def test_sms_code_session_never_opens_the_console_for_any_staff_role(client, make_user, county,
                                                                     role):
    from wagtail.models import Page

    from rongmei.home.services import ensure_resident_site

    if Page.get_first_root_node() is None:  # a transactional test flushed the page tree
        ensure_resident_site()
    if role == "superuser":
        staff = make_user(is_staff=True, is_superuser=True)
    else:
        staff = make_user(role, unit=county.center)
    sms_sign_in(client, staff.phone)
    assert_console_closed(client)

    wrong = client.post("/admin/login/", {"username": staff.phone, "password": "wrong-one"})
    assert wrong.status_code == 200
    assert_console_closed(client)

    right = client.post("/admin/login/", {"username": staff.phone, "password": PASSWORD})
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/me/").status_code == 200  # still the same person on the resident side


@pytest.mark.django_db
def test_api_sms_login_token_gives_no_console_session(client, make_user):
    staff = make_user("administrator")
    client.post("/api/v1/auth/otp", {"phone": staff.phone}, content_type="application/json")
    code = selectors.outbox_latest_code(phone=staff.phone)
    token = client.post("/api/v1/auth/login", {"phone": staff.phone, "code": code},
                        content_type="application/json")
    assert token.status_code == 200
    response = client.get("/admin/", HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_password_sign_in_opens_the_console(client, make_user):
    editor = make_user("editor")
    response = client.post("/admin/login/", {"username": editor.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
