"""微信分享 in a real browser (headless Chromium, WeChat's user agent): the page's script
asks our server to sign it, loads the JS-SDK from res.wx.qq.com (the one origin the CSP
then allows; here a recording stand-in of the SDK answers for it), and hands WeChat the
card its og: tags describe. Outside WeChat nothing is loaded."""

from __future__ import annotations

import hashlib

import pytest

from rongmei.browser_testing import assert_no_page_problems, open_page

from .wechat_platform import APPID

SDK = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
# Records what the page asks of WeChat's JS-SDK.
FAKE_SDK = """window.wx = {calls: [],
  config: function (c) { this.calls.push(["config", c]); },
  ready: function (f) { setTimeout(f, 0); }, error: function () {},
  updateAppMessageShareData: function (d) { this.calls.push(["app", d]); },
  updateTimelineShareData: function (d) { this.calls.push(["timeline", d]); }};"""
WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) "
             "NetType/WIFI Language/zh_CN")


def phone(browser, browser_context_args, *, user_agent=None):
    page = open_page(browser, dict(browser_context_args, **(
        {"user_agent": user_agent} if user_agent else {})))
    page.sdk_loads = 0

    def sdk(route):
        page.sdk_loads += 1
        route.fulfill(body=FAKE_SDK, content_type="application/javascript; charset=utf-8")

    page.context.route(SDK, sdk)
    return page


@pytest.mark.django_db(transaction=True)
def test_a_story_shared_inside_wechat_carries_its_own_card(
        live_site, wechat, settings, browser, browser_context_args):
    from rongmei.news.models import StoryPage

    settings.WAGTAILADMIN_BASE_URL = live_site.base_url
    story = StoryPage.objects.live().exclude(cover=None).first() or StoryPage.objects.live().first()
    page = phone(browser, browser_context_args, user_agent=WECHAT_UA)
    try:
        page.goto(live_site.url(story.url + "#comments"))
        page.wait_for_function("() => window.wx && window.wx.calls.length >= 3")
        calls = {name: data for name, data in page.evaluate("() => window.wx.calls")}
        meta = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
            'meta[property^="og:"]')].map(m => [m.getAttribute('property'), m.content]))""")
        assert_no_page_problems(page)
    finally:
        page.context.close()
    config = calls["config"]
    signed = live_site.url(story.url)  # without #comments
    expected = hashlib.sha1(
        f"jsapi_ticket=TICKET_1&noncestr={config['nonceStr']}&timestamp={config['timestamp']}"
        f"&url={signed}".encode()).hexdigest()
    assert config["appId"] == APPID and config["signature"] == expected
    assert config["debug"] is False
    assert calls["app"] == {"title": story.title, "desc": meta["og:description"],
                            "link": signed, "imgUrl": meta["og:image"]}
    assert calls["timeline"] == {"title": story.title, "link": signed,
                                 "imgUrl": meta["og:image"]}
    if story.cover_id:
        assert "/media/" in meta["og:image"] or "/images/" in meta["og:image"]
    assert page.sdk_loads == 1


@pytest.mark.django_db(transaction=True)
def test_outside_wechat_the_sdk_is_never_loaded(live_site, wechat, settings, browser,
                                                browser_context_args):
    settings.WAGTAILADMIN_BASE_URL = live_site.base_url
    page = phone(browser, browser_context_args)
    try:
        page.goto(live_site.url("/"))
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => typeof window.wx") == "undefined"
        assert_no_page_problems(page)
    finally:
        page.context.close()
    assert page.sdk_loads == 0
    assert wechat.calls["/cgi-bin/ticket/getticket"] == 0
