"""微信分享 (JS-SDK): the jsapi_ticket, the documented signature, the config endpoint and the
page's script, against a stand-in of WeChat's endpoints over real HTTP."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest

from rongmei.core import wechat as wx

from .wechat_platform import APPID

pytestmark = pytest.mark.django_db
CONFIG = "/api/v1/wechat/jssdk-config?url="


def test_signature_matches_the_documented_example():
    # 微信 JS-SDK 说明文档, 附录1 (JS-SDK使用权限签名算法): the worked example.
    assert wx.jssdk_signature(
        ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        noncestr="Wm3WZYTPz0wzccnW", timestamp=1414587457,
        url="http://mp.weixin.qq.com?params=value",
    ) == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_a_page_of_ours_is_signed_with_the_ticket_and_without_its_fragment(client, wechat):
    page = "http://testserver/news/2026/12/lianhua/?from=timeline"
    answer = client.get(CONFIG + quote(page + "#comments", safe=""))
    assert answer.status_code == 200
    config = answer.json()
    assert config["appId"] == APPID
    assert config["jsApiList"] == ["updateAppMessageShareData", "updateTimelineShareData"]
    assert config["signature"] == wechat_signature("TICKET_1", config, page)
    assert wechat.calls["/cgi-bin/token"] == 1 and wechat.calls["/cgi-bin/ticket/getticket"] == 1


def wechat_signature(ticket, config, url):
    import hashlib

    text = (f"jsapi_ticket={ticket}&noncestr={config['nonceStr']}"
            f"&timestamp={config['timestamp']}&url={url}")
    return hashlib.sha1(text.encode()).hexdigest()


def test_the_ticket_is_fetched_once_and_kept(client, wechat):
    nonces = set()
    for path in ("/", "/news/", "/me/"):
        config = client.get(CONFIG + quote("http://testserver" + path, safe="")).json()
        assert config["signature"] == wechat_signature("TICKET_1", config,
                                                       "http://testserver" + path)
        nonces.add(config["nonceStr"])
    assert len(nonces) == 3
    assert wechat.calls["/cgi-bin/ticket/getticket"] == 1
    assert wechat.calls["/cgi-bin/token"] == 1


def test_many_pages_opening_at_once_fetch_one_ticket(wechat):
    wechat.delay = 0.2
    tickets, errors = [], []

    def open_page():
        try:
            tickets.append(wx.jsapi_ticket())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_page) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert tickets == ["TICKET_1"] * 6
    assert wechat.calls["/cgi-bin/ticket/getticket"] == 1
    assert wechat.calls["/cgi-bin/token"] == 1


def test_an_ended_access_token_is_fetched_again_once(client, wechat):
    wx.app_access_token()
    wechat.end_tokens()  # e.g. someone fetched a token for the same 公众号 elsewhere
    answer = client.get(CONFIG + quote("http://testserver/", safe=""))
    assert answer.status_code == 200
    assert wechat.calls["/cgi-bin/token"] == 2
    assert wechat.calls["/cgi-bin/ticket/getticket"] == 2  # 40001, then the ticket


def test_a_wechat_error_is_a_chinese_503_remembered_briefly(client, wechat):
    from django.core.cache import cache

    from rongmei.core import wechat as core_wechat

    wechat.fail["/cgi-bin/ticket/getticket"] = [{"errcode": 45009, "errmsg": "api freq out"}]
    answer = client.get(CONFIG + quote("http://testserver/", safe=""))
    assert answer.status_code == 503
    assert answer.json() == {"code": "wechat_unavailable",
                             "message": "微信分享暂时不可用，请稍后再试", "field": None}
    # For a while WeChat is not asked again: no ticket fetch, no new access_token.
    calls = dict(wechat.calls)
    assert client.get(CONFIG + quote("http://testserver/", safe="")).status_code == 503
    assert dict(wechat.calls) == calls
    cache.delete(core_wechat._backoff_key())  # JSSDK_BACKOFF_SECONDS later
    assert client.get(CONFIG + quote("http://testserver/", safe="")).status_code == 200


@pytest.mark.parametrize("path, refusal", [
    ("/cgi-bin/token", {"errcode": 40164, "errmsg": "invalid ip, not in whitelist"}),
    ("/cgi-bin/token", None), ("/cgi-bin/token", []), ("/cgi-bin/token", {"errcode": 0}),
    ("/cgi-bin/ticket/getticket", {"errcode": "40001", "errmsg": "invalid credential"}),
    ("/cgi-bin/ticket/getticket", [1]),
])
def test_a_refused_token_or_ticket_is_not_fetched_again_on_every_request(client, wechat, path,
                                                                        refusal):
    wechat.fail[path] = [refusal] * 3
    for _ in range(5):
        answer = client.get(CONFIG + quote("http://testserver/", safe=""))
        assert answer.status_code == 503 and answer.json()["code"] == "wechat_unavailable"
    assert wechat.calls["/cgi-bin/token"] <= 2  # once, and once more for an ended token


def test_the_config_is_limited_per_address(client, wechat):
    from rongmei.core.wechat_api import JSSDK_PER_MINUTE

    for _ in range(JSSDK_PER_MINUTE):
        assert client.get(CONFIG + quote("http://testserver/", safe="")).status_code == 200
    answer = client.get(CONFIG + quote("http://testserver/", safe=""))
    assert answer.status_code == 429 and "请求过于频繁" in answer.json()["message"]


@pytest.mark.parametrize("url", [
    "https://evil.example/", "http://testserver.evil.example/", "http://evil.example/?testserver",
    "https://testserver/",  # another scheme is another origin
    "//testserver/", "/news/", "javascript:alert(1)", "http://testserver\\@evil.example/",
])
def test_pages_of_other_sites_are_refused(client, wechat, url):
    answer = client.get(CONFIG + quote(url, safe=""))
    assert answer.status_code == 400
    assert answer.json() == {"code": "foreign_url", "field": "url",
                             "message": "只能为本站的页面生成微信分享配置"}
    assert wechat.calls["/cgi-bin/ticket/getticket"] == 0


def test_without_an_app_id_pages_are_as_before_and_the_endpoint_is_off(client, settings):
    settings.WECHAT_APP_ID = ""
    page = client.get("/login/")
    assert b"wechat-share.js" not in page.content and b"jweixin" not in page.content
    assert "res.wx.qq.com" not in page["Content-Security-Policy"]
    answer = client.get(CONFIG + quote("http://127.0.0.1:8000/", safe=""))
    assert answer.status_code == 404
    assert answer.json()["code"] == "wechat_off"
    assert answer.json()["message"] == "本站未开启微信分享"


def test_with_an_app_id_pages_load_the_share_script_and_allow_only_the_sdk_origin(
        client, wechat):
    page = client.get("/login/")
    html = page.content.decode()
    assert 'src="/static/rongmei/js/wechat-share.js' in html
    assert 'data-sdk="https://res.wx.qq.com/open/js/jweixin-1.6.0.js"' in html
    assert "<script>" not in html  # no inline script: the CSP allows none
    policy = page["Content-Security-Policy"]
    assert "script-src 'self' https://res.wx.qq.com;" in policy
    assert "connect-src 'self';" in policy
    for tag in ("og:title", "og:description", "og:image", "og:url"):
        assert f'property="{tag}"' in html


def test_the_outlet_for_the_same_account_uses_the_same_access_token(wechat):
    from rongmei.outlets.adapters.wechat_mp import WechatApi
    from rongmei.outlets.models import Outlet

    from .wechat_platform import SECRET

    ticket = wx.jsapi_ticket()
    outlet = Outlet(name="莲乡发布", kind="wechat_mp", api_base=wechat.url, app_id=APPID,
                    settings={"token_endpoint": "token"})
    outlet.set_secret(SECRET)
    outlet.save()
    assert ticket == "TICKET_1"
    assert WechatApi(outlet).token() == "ACCESS_TOKEN_1"
    assert wechat.calls["/cgi-bin/token"] == 1  # a second fetch would end the first token


def test_ticket_and_token_are_kept_five_minutes_less_than_wechat_says(wechat, monkeypatch):
    from django.core.cache import cache

    kept = {}

    class Recording:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, value, timeout=None, **kwargs):
            kept[key] = timeout
            return cache.set(key, value, timeout, **kwargs)

    monkeypatch.setattr(wx, "cache", Recording())
    assert wx.jsapi_ticket() == "TICKET_1"
    assert kept == {f"wechat:access-token:{APPID}": 7200 - 300,
                    f"wechat:jsapi-ticket:{APPID}": 7200 - 300}
