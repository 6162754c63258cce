"""微信登录 in a real browser (headless Chromium with WeChat's user agent, phone-sized),
against the stand-in of WeChat's 网页授权 endpoints: the login page offers both ways, the
first WeChat sign-in is bound once the resident proves their phone, and 退出登录 sticks
(the login page never starts WeChat by itself)."""

from __future__ import annotations

import pytest

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    login_by_sms,
    screenshot,
)
from rongmei.core.tests.test_wechat_share_browser import WECHAT_UA
from rongmei.core.tests.test_wechat_share_browser import phone as wechat_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_signs_in_with_wechat_binds_it_and_logging_out_sticks(
        live_site, wechat, settings, browser, browser_context_args, tmp_path):
    from rongmei.accounts.models import WechatBinding

    settings.WAGTAILADMIN_BASE_URL = live_site.base_url  # WeChat sends residents back here
    phone = "15200000077"
    # The JS-SDK from res.wx.qq.com is answered by a recording stand-in (no network here).
    page = wechat_phone(browser, browser_context_args, user_agent=WECHAT_UA)
    try:
        page.goto(live_site.url("/login/?next=/me/"))
        assert page.url.startswith(live_site.url("/login/"))  # no automatic trip to WeChat
        choices = page.get_by_test_id("login-choices")
        assert choices.is_visible() and page.get_by_label("手机号", exact=True).is_visible()
        screenshot(page, tmp_path / "1-login-choices.png")
        assert_accessible(page, "微信内的登录页")

        with page.expect_navigation(url=lambda url: "/login/" in url and "callback" not in url):
            page.get_by_test_id("wechat-login").click()
        pending = page.get_by_test_id("wechat-pending")
        assert "微信授权成功（莲乡小李）" in pending.inner_text()
        screenshot(page, tmp_path / "2-wechat-pending.png")

        login_by_sms(page, live_site, phone)
        assert page.url == live_site.url("/me/")
        binding = WechatBinding.objects.get(openid=wechat.openid)
        assert binding.user.phone == phone and binding.nickname == "莲乡小李"
        assert_no_page_problems(page)

        page.goto(live_site.url("/me/settings/"))
        assert "莲乡小李" in page.content()
        page.goto(live_site.url("/me/"))
        with page.expect_navigation():
            page.get_by_role("button", name="退出登录").click()
        page.goto(live_site.url("/me/"))
        assert page.url.startswith(live_site.url("/login/"))  # not signed straight back in
        assert page.get_by_test_id("login-choices").is_visible()
        assert wechat.calls["/connect/oauth2/authorize"] == 1
        screenshot(page, tmp_path / "3-after-logout.png")
    finally:
        page.context.close()
