"""微信登录 against an adversarial review: hostile data from WeChat, two tabs, binding on a
borrowed phone, 退出登录 inside WeChat, staff accounts, odd answers, floods. All through the
test client and the WeChat stand-in (rongmei/core/tests/wechat_platform.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from rongmei.accounts import selectors
from rongmei.accounts.models import SmsMessage, User, WechatBinding
from rongmei.accounts.tests.test_wechat_login import (
    IN_WECHAT,
    PHONE,
    round_trip,
    signed_in,
    sms_login,
    start,
)
from rongmei.core.roles import DISPATCHER, ROLE_BY_CODE
from rongmei.core.tests.wechat_platform import local, query_of

pytestmark = pytest.mark.django_db
SMS = "rongmei.accounts.backends.SmsCodeBackend"


def bound_user(wechat, make_user, *roles, **fields):
    user = make_user(*roles, phone=PHONE, password=None, **fields)
    WechatBinding.objects.create(openid=wechat.openid, user=user, nickname="莲乡小李")
    return user


# --- 1. the state --------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["%E4%B8%AD", "%F0%9F%98%80", "%C3%A9" * 40])
def test_a_state_that_is_not_ascii_is_the_expired_link_page(client, wechat, state):
    start(client)
    answer = client.get(f"/login/wechat/callback/?code=x&state={state}", **IN_WECHAT)
    assert answer.status_code == 400
    assert "登录链接已失效" in answer.content.decode()
    assert wechat.calls["/sns/oauth2/access_token"] == 0


# --- 9. two tabs ---------------------------------------------------------------------------

def test_two_tabs_each_finish_and_a_stale_callback_spoils_neither(client, wechat, make_user):
    bound_user(wechat, make_user)
    first = local(wechat.authorize(start(client, next_url="/points/")))
    second = local(wechat.authorize(start(client)))
    assert client.get("/login/wechat/callback/?code=x&state=stale", **IN_WECHAT).status_code == 400
    assert client.get(first, **IN_WECHAT)["Location"] == "/points/"
    client.post("/logout/", **IN_WECHAT)
    # logout starts a fresh session: the second tab's state went with the old one.
    assert client.get(second, **IN_WECHAT).status_code == 400


def test_both_tabs_of_one_session_can_finish(client, wechat):
    first = local(wechat.authorize(start(client, next_url="/points/")))
    second = local(wechat.authorize(start(client)))
    assert client.get(second, **IN_WECHAT)["Location"] == "/login/?next=%2Fme%2F"
    assert client.get(first, **IN_WECHAT)["Location"] == "/login/?next=%2Fpoints%2F"
    assert client.get(first, **IN_WECHAT).status_code == 400  # each state once


def test_only_the_five_latest_states_are_kept(client, wechat):
    states = [query_of(start(client).split("#")[0])["state"] for _ in range(6)]
    oldest = client.get(f"/login/wechat/callback/?code=x&state={states[0]}", **IN_WECHAT)
    assert oldest.status_code == 400
    assert wechat.calls["/sns/oauth2/access_token"] == 0


# --- 2. what WeChat says about the person ---------------------------------------------------

@pytest.mark.parametrize("nickname, shown", [
    ("\ud800坏", "坏"), ("莲\u0000乡", "莲乡"), ("\u202e乡莲\u2066", "乡莲"),
    ("莲\u200b乡\ufeff", "莲乡"), ("a\x07b\x1bc", "abc"), (12345, ""), (None, ""),
    (["莲乡"], ""),
])
def test_a_hostile_nickname_is_cleaned_and_the_resident_gets_in(client, wechat, nickname,
                                                                 shown):
    wechat.nickname = nickname
    answer = round_trip(client, wechat)
    assert answer["Location"] == "/login/?next=%2Fme%2F"
    page = client.get("/login/", **IN_WECHAT)
    assert page.status_code == 200
    assert ("微信授权成功（" + shown + "）" if shown else "微信授权成功。") in page.content.decode()
    done = sms_login(client)
    assert done.status_code == 302 and done["Location"] == "/me/"
    user = User.objects.get(phone=PHONE)
    assert int(signed_in(client)) == user.pk
    assert WechatBinding.objects.get(user=user).nickname == shown
    assert client.get("/me/", **IN_WECHAT).status_code == 200


@pytest.mark.parametrize("avatar, kept", [
    ("https://thirdwx.qlogo.cn/mmopen/a/132", True),
    ('https://x.example/a"onerror="alert(1)', False),
    ("https://x.example/a b", False), ("javascript:alert(1)", False),
    ("https://x.example/\u0000", False), ("https://x.example/\u2028", False), (7, False),
])
def test_only_plain_web_addresses_are_kept_as_the_avatar(client, wechat, avatar, kept):
    wechat.headimgurl = avatar
    round_trip(client, wechat)
    sms_login(client)
    assert WechatBinding.objects.get().avatar_url == (avatar if kept else "")


def test_a_binding_that_fails_after_the_sms_login_is_a_notice_not_an_error(
        client, wechat, monkeypatch):
    round_trip(client, wechat)

    def refuse(*args, **kwargs):  # PostgreSQL refusing a value, say
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(WechatBinding.objects, "get_or_create", refuse)
    done = sms_login(client)
    assert done.status_code == 302 and done["Location"] == "/me/"
    assert signed_in(client)
    page = client.get("/me/", **IN_WECHAT)
    assert page.status_code == 200
    assert "已登录，但微信未绑定" in page.content.decode()


def test_a_wechat_bound_elsewhere_is_said_after_signing_in(client, wechat, make_user):
    other = make_user(phone="13900001111", password=None)
    round_trip(client, wechat)
    WechatBinding.objects.create(openid=wechat.openid, user=other)
    done = sms_login(client)
    assert done.status_code == 302 and signed_in(client)
    body = client.get(done["Location"], **IN_WECHAT).content.decode()
    assert "已登录，但微信未绑定：这个微信已绑定其他手机号账号" in body


# --- 3. binding on a borrowed phone ------------------------------------------------------

def bind_from_settings(client, wechat):
    sent = client.get("/login/wechat/?next=/me/settings/", **IN_WECHAT)
    return client.get(local(wechat.authorize(sent["Location"])), **IN_WECHAT)


def test_binding_while_signed_in_needs_the_phones_code(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None)
    client.force_login(user, backend=SMS)
    answer = bind_from_settings(client, wechat)
    assert answer["Location"].startswith("/me/wechat/bind/")
    wrong = client.post("/me/wechat/bind/", {"action": "verify", "code": "000000"}, **IN_WECHAT)
    assert wrong.status_code == 400 and "验证码" in wrong.content.decode()
    assert not WechatBinding.objects.exists()
    assert not SmsMessage.objects.filter(template="wechat_bound").exists()


def test_a_new_binding_is_told_to_the_phone(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None)
    client.force_login(user, backend=SMS)
    bind_from_settings(client, wechat)
    client.post("/me/wechat/bind/", {"action": "send"}, **IN_WECHAT)
    code = selectors.outbox_latest_code(phone=PHONE)
    client.post("/me/wechat/bind/", {"action": "verify", "code": code}, **IN_WECHAT)
    assert WechatBinding.objects.get().user == user
    told = SmsMessage.objects.get(template="wechat_bound", phone=PHONE)
    assert "已绑定微信（莲乡小李）" in told.body and "解除微信绑定" in told.body


def test_binding_through_the_sms_login_is_told_too(client, wechat):
    round_trip(client, wechat)
    sms_login(client)
    assert SmsMessage.objects.filter(template="wechat_bound", phone=PHONE).count() == 1


def test_the_bind_page_without_a_waiting_wechat_goes_back_to_settings(client, make_user,
                                                                       wechat):
    client.force_login(make_user(phone=PHONE, password=None), backend=SMS)
    answer = client.get("/me/wechat/bind/", **IN_WECHAT)
    assert answer.status_code == 302 and answer["Location"] == "/me/settings/"
    assert client.get("/me/wechat/bind/").status_code == 302


def test_unbinding_ends_the_sessions_that_wechat_started(client, wechat, make_user):
    from django.test import Client

    user = bound_user(wechat, make_user)
    round_trip(client, wechat)  # the borrower's phone, signed in through their WeChat
    assert client.get("/me/", **IN_WECHAT).status_code == 200
    owner = Client()
    owner.force_login(user, backend=SMS)
    owner.post("/me/wechat/unbind/")
    assert not WechatBinding.objects.exists()
    again = client.get("/me/", **IN_WECHAT)
    assert again.status_code == 302 and again["Location"].startswith("/login/")
    assert signed_in(client) is None
    assert owner.get("/me/").status_code == 200  # the owner's SMS session stays


# --- 10. unbind by GET -------------------------------------------------------------------

def test_the_unbind_address_opened_by_link_goes_to_the_settings(client, wechat, make_user):
    user = bound_user(wechat, make_user)
    client.force_login(user, backend=SMS)
    answer = client.get("/me/wechat/unbind/")
    assert answer.status_code == 302 and answer["Location"] == "/me/settings/"
    assert WechatBinding.objects.exists()  # a GET changes nothing


# --- 4. 退出登录 inside WeChat -----------------------------------------------------------

def test_after_logout_wechat_does_not_sign_the_resident_back_in(client, wechat, make_user):
    bound_user(wechat, make_user)
    round_trip(client, wechat)
    assert signed_in(client)
    client.post("/logout/", **IN_WECHAT)
    me = client.get("/me/", **IN_WECHAT)
    assert me.status_code == 302 and me["Location"].startswith("/login/")
    page = client.get(me["Location"], **IN_WECHAT)
    assert page.status_code == 200 and signed_in(client) is None
    body = page.content.decode()
    assert 'data-testid="wechat-login"' in body and "使用手机号登录" in body
    assert wechat.calls["/sns/oauth2/access_token"] == 1  # nothing started by itself


# --- 5. staff ----------------------------------------------------------------------------

def test_a_staff_account_is_not_signed_in_through_wechat(client, wechat, make_user):
    bound_user(wechat, make_user, is_staff=True)
    answer = round_trip(client, wechat)
    assert answer.status_code == 403
    assert "请使用手机号验证码登录" in answer.content.decode()
    assert signed_in(client) is None


def test_an_account_holding_a_console_role_is_not_signed_in_through_wechat(client, wechat,
                                                                            make_user):
    user = bound_user(wechat, make_user, DISPATCHER)
    User.objects.filter(pk=user.pk).update(is_staff=False)  # the role alone decides
    answer = round_trip(client, wechat)
    assert answer.status_code == 403 and signed_in(client) is None
    assert client.get("/api/v1/planning/desk/tips").status_code in (401, 403)


def test_becoming_staff_ends_a_wechat_session_and_refuses_binding(client, wechat, make_user):
    user = bound_user(wechat, make_user)
    round_trip(client, wechat)
    assert client.get("/me/", **IN_WECHAT).status_code == 200
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE[DISPATCHER].name))
    assert client.get("/me/", **IN_WECHAT).status_code == 302
    assert signed_in(client) is None
    # Signed in by SMS, a staff account cannot bind a WeChat either.
    WechatBinding.objects.all().delete()
    client.force_login(user, backend=SMS)
    answer = bind_from_settings(client, wechat)
    assert answer.status_code == 403
    body = answer.content.decode()
    assert "微信绑定未完成" in body and "手机号验证码登录" in body
    assert not WechatBinding.objects.exists()


# --- 6. odd answers from WeChat ------------------------------------------------------------

@pytest.mark.parametrize("answer", [None, [], "ok", 7])
def test_an_exchange_answer_that_is_not_an_object_is_a_chinese_page(client, wechat, answer):
    wechat.fail["/sns/oauth2/access_token"] = [answer]
    page = round_trip(client, wechat)
    assert page.status_code == 502
    assert "微信登录未完成" in page.content.decode()


def test_a_string_errcode_is_read_as_the_number(client, wechat):
    wechat.fail["/sns/oauth2/access_token"] = [{"errcode": "40029", "errmsg": "invalid code"}]
    page = round_trip(client, wechat)
    assert page.status_code == 400 and "微信授权码无效或已过期" in page.content.decode()


def test_an_answer_without_openid_does_not_say_errcode_0(client, wechat):
    wechat.fail["/sns/oauth2/access_token"] = [{"access_token": "t", "expires_in": 7200}]
    page = round_trip(client, wechat)
    assert page.status_code == 502
    body = page.content.decode()
    assert "微信错误码 0" not in body and "微信没有返回您的身份信息" in body


@pytest.mark.parametrize("userinfo", [None, [], b"<html>busy</html>",
                                      {"errcode": "40003", "errmsg": "invalid openid"}])
def test_userinfo_failing_lets_the_resident_in_without_the_nickname(client, wechat, userinfo):
    wechat.fail["/sns/userinfo"] = [userinfo]
    assert round_trip(client, wechat)["Location"] == "/login/?next=%2Fme%2F"
    sms_login(client)
    binding = WechatBinding.objects.get()
    assert binding.openid == wechat.openid and binding.nickname == ""


def test_userinfo_out_of_reach_lets_the_resident_in(client, wechat, settings, monkeypatch):
    from rongmei.core import wechat as core_wechat

    real = core_wechat.get_json

    def userinfo_down(path, params, **kwargs):
        if path == "/sns/userinfo":
            raise core_wechat.WechatError(-1, "连接微信接口失败", "/sns/userinfo: refused")
        return real(path, params, **kwargs)

    monkeypatch.setattr(core_wechat, "get_json", userinfo_down)
    assert round_trip(client, wechat)["Location"] == "/login/?next=%2Fme%2F"
    assert "微信授权成功。" in client.get("/login/", **IN_WECHAT).content.decode()


# --- 8. floods, 11. wording ----------------------------------------------------------------

def test_callbacks_are_limited_per_address(client, wechat):
    from rongmei.accounts.wechat_views import CALLBACKS_PER_MINUTE

    for _ in range(CALLBACKS_PER_MINUTE):
        assert client.get("/login/wechat/callback/?code=x&state=y",
                          **IN_WECHAT).status_code == 400
    answer = client.get("/login/wechat/callback/?code=x&state=y", **IN_WECHAT)
    assert answer.status_code == 429
    assert "微信登录尝试过于频繁" in answer.content.decode()
    assert wechat.calls["/sns/oauth2/access_token"] == 0


def test_try_again_keeps_where_the_resident_was_going(client, wechat):
    wechat.deny = True
    page = round_trip(client, wechat, next_url="/points/").content.decode()
    assert 'href="/login/wechat/?next=%2Fpoints%2F"' in page
    assert 'href="/login/?phone=1&amp;next=%2Fpoints%2F"' in page


def test_a_failed_bind_says_so_and_links_back_to_the_settings(client, wechat, make_user):
    client.force_login(make_user(phone=PHONE, password=None), backend=SMS)
    wechat.fail["/sns/oauth2/access_token"] = [{"errcode": 40029, "errmsg": "invalid code"}]
    page = bind_from_settings(client, wechat)
    body = page.content.decode()
    assert page.status_code == 400
    assert "微信绑定未完成" in body and "微信登录未完成" not in body
    assert 'href="/me/settings/"' in body and "使用手机号登录" not in body
