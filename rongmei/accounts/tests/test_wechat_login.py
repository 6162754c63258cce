"""微信登录 (网页授权) bound to the phone account, through the Django test client and a
stand-in of WeChat's OAuth endpoints over real HTTP (rongmei/core/tests/wechat_platform.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY

from rongmei.accounts import selectors, services
from rongmei.accounts.models import User, WechatBinding
from rongmei.core.tests.wechat_platform import local, query_of

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
IN_WECHAT = {"HTTP_USER_AGENT": (
    "Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.44.2502(0x28002C37) "
    "NetType/WIFI Language/zh_CN")}


def start(client, next_url=""):
    """Open the login page inside WeChat and tap 微信登录: WeChat's authorize URL."""
    import html
    import re

    opened = client.get("/login/" + (f"?next={next_url}" if next_url else ""), **IN_WECHAT)
    assert opened.status_code == 200  # the choice is the resident's, never automatic
    found = re.search(r'href="([^"]+)" data-testid="wechat-login"', opened.content.decode())
    assert found, "the login page inside WeChat offers 微信登录"
    sent = client.get(html.unescape(found.group(1)), **IN_WECHAT)
    assert sent.status_code == 302
    return sent["Location"]


def round_trip(client, wechat, next_url=""):
    back = wechat.authorize(start(client, next_url))
    return client.get(local(back), **IN_WECHAT)


def sms_login(client, phone=PHONE, next_url=""):
    client.post("/login/", {"phone": phone, "action": "send"}, **IN_WECHAT)
    code = selectors.outbox_latest_code(phone=phone)
    return client.post("/login/", {"phone": phone, "code": code, "action": "verify",
                                   "next": next_url}, **IN_WECHAT)


def signed_in(client):
    return client.session.get(SESSION_KEY)


def test_the_authorize_request_is_as_wechat_documents_it(client, wechat):
    location = start(client)
    query = query_of(location.split("#")[0])
    assert location.endswith("#wechat_redirect")
    assert query["appid"] == "wx5f3c2a1b0d9e8f7a"
    assert query["redirect_uri"] == "http://testserver/login/wechat/callback/"
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Flogin%2Fwechat%2Fcallback%2F" in location
    assert query["response_type"] == "code" and query["scope"] == "snsapi_userinfo"
    assert len(query["state"]) >= 24


def test_a_new_wechat_is_bound_to_the_phone_account_the_resident_proves(client, wechat):
    answer = round_trip(client, wechat, next_url="/points/")
    assert answer.status_code == 302
    assert answer["Location"] == "/login/?next=%2Fpoints%2F"
    assert signed_in(client) is None  # WeChat alone makes no account
    page = client.get(answer["Location"], **IN_WECHAT)
    assert page.status_code == 200
    assert "微信授权成功（莲乡小李）" in page.content.decode()
    assert 'data-testid="wechat-login"' not in page.content.decode()
    assert 'data-testid="wechat-login"' not in page.content.decode()

    done = sms_login(client, next_url="/points/")
    assert done.status_code == 302 and done["Location"] == "/points/"
    user = User.objects.get(phone=PHONE)
    binding = WechatBinding.objects.get(user=user)
    assert binding.openid == wechat.openid and binding.unionid == "u" + wechat.openid
    assert binding.nickname == "莲乡小李"
    assert binding.avatar_url == "https://thirdwx.qlogo.cn/mmopen/avatar/132"
    assert wechat.calls["/sns/oauth2/access_token"] == 1 and wechat.calls["/sns/userinfo"] == 1


def test_a_bound_resident_comes_back_signed_in_without_a_code(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None)
    WechatBinding.objects.create(openid=wechat.openid, user=user)
    answer = round_trip(client, wechat, next_url="/points/")
    assert answer.status_code == 302 and answer["Location"] == "/points/"
    assert int(signed_in(client)) == user.pk
    # Signed in like the SMS login: a resident session that never opens the console.
    from rongmei.accounts.backends import SMS_CODE_BACKEND

    assert client.session["_auth_user_backend"] == SMS_CODE_BACKEND
    assert client.get("/me/").status_code == 200


def test_a_disabled_account_is_not_signed_in_through_wechat(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None, is_active=False)
    WechatBinding.objects.create(openid=wechat.openid, user=user)
    answer = round_trip(client, wechat)
    assert answer.status_code == 403
    assert "该账号已被停用" in answer.content.decode()
    assert signed_in(client) is None


def test_a_forged_state_is_refused(client, wechat):
    back = wechat.authorize(start(client))
    forged = local(back).replace("state=", "state=x")
    answer = client.get(forged, **IN_WECHAT)
    assert answer.status_code == 400
    assert "登录链接已失效或已使用过" in answer.content.decode()
    assert wechat.calls["/sns/oauth2/access_token"] == 0
    assert signed_in(client) is None


def test_a_state_works_once(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None)
    WechatBinding.objects.create(openid=wechat.openid, user=user)
    back = local(wechat.authorize(start(client)))
    assert client.get(back, **IN_WECHAT)["Location"] == "/me/"
    client.logout()
    again = client.get(back, **IN_WECHAT)
    assert again.status_code == 400
    assert "登录链接已失效或已使用过" in again.content.decode()
    assert signed_in(client) is None


def test_a_callback_without_a_login_started_here_is_refused(client, wechat):
    answer = client.get("/login/wechat/callback/?code=abc&state=whatever", **IN_WECHAT)
    assert answer.status_code == 400
    assert "请重新发起微信登录" in answer.content.decode()


def test_a_code_used_twice_is_refused_by_wechat_and_said_plainly(client, wechat):
    back = local(wechat.authorize(start(client)))
    code = query_of(back)["code"]
    client.get(back, **IN_WECHAT)  # the first use (kept waiting for a phone)
    # The same code under a fresh state (a reloaded callback page): WeChat says 40163.
    restart = client.get("/login/wechat/", **IN_WECHAT)["Location"]
    fresh = query_of(wechat.authorize(restart))["state"]
    answer = client.get(f"/login/wechat/callback/?code={code}&state={fresh}", **IN_WECHAT)
    assert answer.status_code == 400
    assert "这次微信授权已经用过了" in answer.content.decode()


def test_the_resident_refusing_wechat_gets_the_phone_login(client, wechat):
    wechat.deny = True
    answer = round_trip(client, wechat)
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "您没有同意微信授权" in body
    assert 'href="/login/?phone=1&amp;next=%2Fme%2F"' in body
    # The phone link does not send them round to WeChat again.
    page = client.get("/login/?phone=1", **IN_WECHAT)
    assert page.status_code == 200 and "手机号登录" in page.content.decode()


@pytest.mark.parametrize("errcode, status, text", [
    (40125, 502, "AppSecret 无效"),
    (45011, 502, "微信错误码 45011"),
    (-1, 502, "微信错误码 -1"),
])
def test_wechat_errors_are_chinese_pages_not_500s(client, wechat, errcode, status, text):
    wechat.fail["/sns/oauth2/access_token"] = [{"errcode": errcode, "errmsg": "system error"}]
    answer = round_trip(client, wechat)
    assert answer.status_code == status
    assert "微信登录未完成" in answer.content.decode() and text in answer.content.decode()


def test_wechat_out_of_reach_is_a_chinese_page(client, wechat, settings):
    location = start(client)
    back = wechat.authorize(location)
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    answer = client.get(local(back), **IN_WECHAT)
    assert answer.status_code == 502
    assert "暂时连不上微信" in answer.content.decode()


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "http://evil.example/login/",
    "/\\evil.example", "javascript:alert(1)",
])
def test_next_never_leaves_the_site(client, wechat, make_user, target):
    from urllib.parse import quote

    user = make_user(phone=PHONE, password=None)
    WechatBinding.objects.create(openid=wechat.openid, user=user)
    answer = round_trip(client, wechat, next_url=quote(target, safe=""))
    assert answer.status_code == 302 and answer["Location"] == "/me/"


def test_unbinding_in_settings_forgets_the_wechat(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None)
    WechatBinding.objects.create(openid=wechat.openid, user=user, nickname="莲乡小李")
    client.force_login(user, backend="rongmei.accounts.backends.SmsCodeBackend")
    page = client.get("/me/settings/", **IN_WECHAT).content.decode()
    assert "已绑定微信：莲乡小李" in page and "解除微信绑定" in page
    answer = client.post("/me/wechat/unbind/")
    assert answer.status_code == 302 and answer["Location"] == "/me/settings/"
    assert not WechatBinding.objects.filter(user=user).exists()
    assert "未绑定微信" in client.get("/me/settings/", **IN_WECHAT).content.decode()
    # Back in WeChat, the resident is asked for their phone again.
    client.logout()
    assert round_trip(client, wechat)["Location"].startswith("/login/?")


def test_a_signed_in_resident_binds_wechat_from_settings(client, wechat, make_user):
    user = make_user(phone=PHONE, password=None)
    client.force_login(user, backend="rongmei.accounts.backends.SmsCodeBackend")
    page = client.get("/me/settings/", **IN_WECHAT).content.decode()
    assert "绑定微信" in page
    sent = client.get("/login/wechat/?next=/me/settings/", **IN_WECHAT)
    answer = client.get(local(wechat.authorize(sent["Location"])), **IN_WECHAT)
    # WeChat confirmed who is at the phone; the account's phone must confirm it is theirs.
    assert answer["Location"] == "/me/wechat/bind/?next=%2Fme%2Fsettings%2F"
    assert not WechatBinding.objects.exists()
    page = client.get(answer["Location"], **IN_WECHAT).content.decode()
    assert "微信授权成功（莲乡小李）" in page and "138****5678" in page
    client.post("/me/wechat/bind/", {"action": "send", "next": "/me/settings/"}, **IN_WECHAT)
    code = selectors.outbox_latest_code(phone=PHONE)
    done = client.post("/me/wechat/bind/", {"action": "verify", "code": code,
                                            "next": "/me/settings/"}, **IN_WECHAT)
    assert done.status_code == 302 and done["Location"] == "/me/settings/"
    assert WechatBinding.objects.get(openid=wechat.openid).user == user


def test_erasing_the_account_deletes_its_wechat_binding(client, wechat):
    round_trip(client, wechat)
    sms_login(client)
    user = User.objects.get(phone=PHONE)
    assert WechatBinding.objects.filter(user=user).exists()
    services.account_delete(user=user)
    assert not WechatBinding.objects.exists()
    # The same WeChat afterwards is a stranger: asked for a phone, not signed in.
    client.logout()
    assert round_trip(client, wechat)["Location"].startswith("/login/?")
    assert signed_in(client) is None


def test_a_wechat_bound_to_another_account_is_not_bound_twice(client, wechat, make_user):
    other = make_user(phone="13900001111", password=None)
    round_trip(client, wechat)  # waits for a phone
    WechatBinding.objects.create(openid=wechat.openid, user=other)  # bound meanwhile
    done = sms_login(client)
    assert done.status_code == 302
    assert WechatBinding.objects.get(openid=wechat.openid).user == other
    messages = [str(m) for m in done.wsgi_request._messages]
    assert any("已绑定其他手机号账号" in m for m in messages)


def test_outside_wechat_the_login_page_is_the_phone_form(client, wechat):
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'data-testid="wechat-login"' not in page.content.decode()


def test_without_an_app_id_there_is_no_wechat_login(client, settings):
    settings.WECHAT_APP_ID = ""
    page = client.get("/login/", **IN_WECHAT)
    assert page.status_code == 200 and "微信登录" not in page.content.decode()
    for path in ("/login/wechat/", "/login/wechat/callback/?code=a&state=b"):
        answer = client.get(path, **IN_WECHAT)
        assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert not WechatBinding.objects.exists()


def test_binding_a_wechat_that_belongs_to_another_account_is_refused(client, wechat,
                                                                      make_user):
    other = make_user(phone="13900001111", password=None)
    WechatBinding.objects.create(openid=wechat.openid, user=other)
    me = make_user(phone=PHONE, password=None)
    client.force_login(me, backend="rongmei.accounts.backends.SmsCodeBackend")
    sent = client.get("/login/wechat/?next=/me/settings/", **IN_WECHAT)
    answer = client.get(local(wechat.authorize(sent["Location"])), **IN_WECHAT)
    assert answer.status_code == 400
    assert "这个微信已绑定其他手机号账号" in answer.content.decode()
    assert int(signed_in(client)) == me.pk  # still themselves, not switched
    assert WechatBinding.objects.get(openid=wechat.openid).user == other
