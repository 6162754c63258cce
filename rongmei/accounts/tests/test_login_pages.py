"""The resident login page and 我的 pages, through the Django test client."""

import pytest

from rongmei.accounts import selectors
from rongmei.accounts.models import RealNameRecord, User

PHONE = "13812345678"


@pytest.mark.django_db
def test_two_step_login_page_logs_the_resident_in(client):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "手机号登录" in page.content.decode()

    sent = client.post("/login/", {"phone": PHONE, "action": "send"})
    assert sent.status_code == 200
    assert "验证码已发送" in sent.content.decode()
    code = selectors.outbox_latest_code(phone=PHONE)

    done = client.post("/login/", {"phone": PHONE, "code": code, "action": "verify"})
    assert done.status_code == 302 and done["Location"] == "/me/"
    me = client.get("/me/")
    assert "138****5678" in me.content.decode()


@pytest.mark.django_db
def test_login_page_shows_chinese_errors_and_keeps_input(client):
    response = client.post("/login/", {"phone": "12345", "action": "send"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请输入正确的11位手机号码" in body
    assert 'value="12345"' in body

    client.post("/login/", {"phone": PHONE, "action": "send"})
    wrong = client.post("/login/", {"phone": PHONE, "code": "000000", "action": "verify"})
    if selectors.outbox_latest_code(phone=PHONE) != "000000":
        assert wrong.status_code == 400
        assert "验证码错误" in wrong.content.decode()


@pytest.mark.django_db
def test_login_redirects_only_to_local_next(client):
    client.post("/login/", {"phone": PHONE, "action": "send"})
    code = selectors.outbox_latest_code(phone=PHONE)
    response = client.post("/login/", {"phone": PHONE, "code": code, "action": "verify",
                                       "next": "https://evil.example/steal"})
    assert response["Location"] == "/me/"


@pytest.mark.django_db
def test_me_requires_login(client):
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_realname_form_stores_masked_number_and_rejects_bad_checksum(client, make_user):
    user = make_user()
    client.force_login(user)
    bad = client.post("/me/realname/", {"name": "张三", "id_number": "110101199003070000"})
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    good = client.post("/me/realname/", {"name": "张三", "id_number": "11010119900307803X"})
    assert good.status_code == 302
    record = RealNameRecord.objects.get(user=user)
    assert record.id_number_masked == "110***********803X"
    assert "11010119900307803X" not in record.id_number_encrypted


@pytest.mark.django_db
def test_settings_and_elder_mode_are_remembered_on_account_and_device(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post("/me/elder-mode/", {"enabled": "1", "next": "/me/"})
    assert response.status_code == 302
    assert response.cookies["rm_elder"].value == "1"
    user.refresh_from_db()
    assert user.elder_mode
    assert 'class="rm rm-elder"' in client.get("/me/").content.decode()

    client.post("/me/settings/", {"nickname": "老张"})
    user.refresh_from_db()
    assert user.nickname == "老张" and user.elder_mode is False


@pytest.mark.django_db
def test_anonymous_elder_mode_uses_the_device_cookie(client):
    client.post("/me/elder-mode/", {"enabled": "1", "next": "/"})
    assert client.cookies["rm_elder"].value == "1"


@pytest.mark.django_db
def test_deleting_the_account_anonymises_it_and_frees_the_number(client, make_user):
    user = make_user(phone=PHONE, nickname="小王")
    RealNameRecord.objects.create(user=user, name="王五", id_number_masked="x",
                                  id_number_encrypted="x", id_number_hash="h")
    client.force_login(user)
    refused = client.post("/me/delete/", {"confirm": "好的"})
    assert refused.status_code == 400
    done = client.post("/me/delete/", {"confirm": "确认注销"})
    assert done.status_code == 200 and "账号已注销" in done.content.decode()
    user.refresh_from_db()
    assert user.phone is None and user.nickname == "" and not user.is_active
    assert user.deleted_at is not None
    assert not RealNameRecord.objects.filter(user=user).exists()
    assert client.get("/me/").status_code == 302  # logged out
    # The number can register again, as a new account.
    client.post("/login/", {"phone": PHONE, "action": "send"})
    code = selectors.outbox_latest_code(phone=PHONE)
    client.post("/login/", {"phone": PHONE, "code": code, "action": "verify"})
    assert User.objects.get(phone=PHONE).pk != user.pk


@pytest.mark.django_db
def test_staff_cannot_delete_themselves_in_the_app(client, make_user):
    staff = make_user("editor")
    client.force_login(staff)
    response = client.post("/me/delete/", {"confirm": "确认注销"})
    assert response.status_code == 400 and "联系管理员" in response.content.decode()


@pytest.mark.django_db
def test_deleting_the_account_erases_voucher_claim_traces(make_user):
    from rongmei.accounts import services
    from rongmei.tests_support import make_campaign
    from rongmei.vouchers import services as vouchers
    from rongmei.vouchers.models import Voucher

    user = make_user()
    vouchers.voucher_grab(user=user, round_id=make_campaign().rounds.get().pk,
                          ip="10.2.3.4", device="phone-abc")
    services.account_delete(user=user)
    voucher = Voucher.objects.get(user=user)
    assert voucher.claim_ip is None and voucher.claim_device == ""
