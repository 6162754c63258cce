"""Real-browser smoke test and accessibility check of the resident app (headless Chromium).

The smoke test walks what a resident does first: open the home page, sign in with the code
texted to the phone (read from the console provider's outbox), turn on 长辈模式 and open
我的. The accessibility test runs axe-core on those pages and allows no serious or critical
finding. Screenshots go to the test's tmp_path (printed with -s / on failure).
"""

from __future__ import annotations

import pytest

from django.conf import settings

from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    format_violations,
    login_by_sms,
    require_browser,
    screenshot,
)

PHONE = "13712345678"
MASKED = "137****5678"
RED = "rgb(200, 22, 30)"  # --rm-red: the header proves app.css loaded


def body_classes(page) -> list[str]:
    return page.evaluate("() => [...document.body.classList]")


def computed(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, "(el, prop) => getComputedStyle(el)[prop]", prop)


@pytest.mark.browser
def test_home_login_elder_mode_and_me_in_a_real_browser(live_site, browser_page, tmp_path):
    from playwright.sync_api import expect

    from rongmei.accounts.models import User

    page = browser_page
    shots = tmp_path / "screenshots"

    # 首页, anonymous: the demo layout, the bottom bar, both style sheets applied.
    response = page.goto(live_site.url("/"))
    assert response.status == 200
    expect(page).to_have_title(settings.RONGMEI_SITE_NAME)
    tabbar = page.get_by_role("navigation", name="底部导航")
    expect(tabbar.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    for label in ("视频", "服务", "商城", "我的"):
        expect(tabbar.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("heading", name="八大福利")).to_be_visible()
    expect(page.get_by_role("heading", name="通知公告")).to_be_visible()
    assert computed(page, ".rm-header", "backgroundColor") == RED, "app.css did not load"
    assert computed(page, ".weui-tabbar", "display") == "flex", "weui.min.css did not load"
    assert computed(page, "body", "fontSize") == "17px"
    # The banners are Wagtail renditions in MEDIA_ROOT: they load and have pixels.
    banner = page.locator(".rm-carousel__slide img").first
    expect(banner).to_be_visible()
    assert banner.evaluate("img => img.complete && img.naturalWidth") > 0
    assert "rm-elder" not in body_classes(page)
    screenshot(page, shots / "1-home.png")

    # 登录: the header link, then 我的 asks to sign in; the code comes from the outbox.
    page.get_by_role("banner").get_by_role("link", name="登录").click()
    expect(page).to_have_url(live_site.url("/login/?next=/me/"))
    expect(page.get_by_role("heading", name="手机号登录")).to_be_visible()
    screenshot(page, shots / "2-login.png")
    login_by_sms(page, live_site, PHONE)

    # 我的: the masked number, never the whole one.
    expect(page).to_have_url(live_site.url("/me/"))
    expect(page.get_by_text(f"手机号 {MASKED}")).to_be_visible()
    assert PHONE not in page.content()
    expect(page.get_by_role("heading", level=1)).to_have_text("用户5678")
    expect(tabbar.get_by_role("link", name="我的")).to_have_attribute("aria-current", "page")
    toggle = page.get_by_test_id("elder-toggle")
    expect(toggle).to_contain_text("点击开启")
    screenshot(page, shots / "3-me.png")

    # 长辈模式 on: larger type at once, saved on the account and remembered on the device.
    with page.expect_navigation():
        toggle.click()
    expect(page).to_have_url(live_site.url("/me/"))
    expect(page.locator("body")).to_have_class("rm rm-elder")
    expect(toggle).to_contain_text("已开启，点击关闭")
    assert computed(page, "body", "fontSize") == "21px"
    assert User.objects.get(phone=PHONE).elder_mode is True
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("rm_elder") == "1"
    screenshot(page, shots / "4-me-elder.png")

    page.reload()
    expect(page.locator("body")).to_have_class("rm rm-elder")
    expect(page.get_by_text(f"手机号 {MASKED}")).to_be_visible()

    # The whole app follows: 首页 in elder mode, opened from the bottom bar.
    tabbar.get_by_role("link", name="首页").click()
    expect(page).to_have_url(live_site.url("/"))
    expect(page.locator("body")).to_have_class("rm rm-elder")
    expect(page.get_by_role("banner").get_by_role("link", name="我的")).to_be_visible()
    screenshot(page, shots / "5-home-elder.png")

    # …and back to 我的 through the bottom bar, still in elder mode.
    tabbar.get_by_role("link", name="我的").click()
    expect(page).to_have_url(live_site.url("/me/"))
    expect(page.locator("body")).to_have_class("rm rm-elder")

    assert_no_page_problems(page)
    print(f"screenshots: {shots}")


@pytest.mark.browser
def test_resident_pages_have_no_serious_accessibility_problems(live_site, browser_page):
    """axe-core on 首页, 登录 (both steps), 我的 with 长辈模式 off and on."""
    from playwright.sync_api import expect

    page = browser_page
    failures: list[str] = []

    def check(label: str) -> None:
        try:
            milder = assert_accessible(page, label)
        except AssertionError as exc:  # collect every page's findings, then fail once
            failures.append(str(exc))
        else:
            if milder:  # moderate/minor: reported (-s), not failing
                print(f"axe, {label}:\n{format_violations(milder)}")

    page.goto(live_site.url("/"))
    check("首页")

    page.goto(live_site.url("/login/"))
    check("登录 (手机号)")
    page.get_by_label("手机号", exact=True).fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_label("验证码", exact=True)).to_be_visible()
    check("登录 (验证码)")

    login_by_sms(page, live_site, PHONE)
    expect(page).to_have_url(live_site.url("/me/"))
    check("我的")

    with page.expect_navigation():
        page.get_by_test_id("elder-toggle").click()
    expect(page.locator("body")).to_have_class("rm rm-elder")
    check("我的 (长辈模式)")

    page.goto(live_site.url("/"))
    expect(page.locator("body")).to_have_class("rm rm-elder")
    check("首页 (长辈模式)")

    assert not failures, "\n\n".join(failures)
    assert_no_page_problems(page)


def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch, tmp_path):
    """The skipping policy of rongmei.browser_testing (no browser needed)."""
    import rongmei.browser_testing as bt

    monkeypatch.setattr(bt, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("RONGMEI_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium not found"):
        require_browser()
    monkeypatch.setenv("RONGMEI_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="RONGMEI_REQUIRE_BROWSER=1"):
        require_browser()
