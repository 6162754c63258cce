"""In a real browser with the service worker on: after logging in, switching 长辈模式 or
logging out, the very next page shows the right header and the right type size at once,
never a copy kept from before (rongmei.core.freshness, home/sw.js)."""

from __future__ import annotations

import pytest

from rongmei.browser_testing import assert_no_page_problems, login_by_sms

PHONE = "13712340011"
STANDARD, ELDER = "17px", "21px"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "service_workers": "allow"}


def seen(page) -> tuple[str, str]:
    """What a person sees at once: the header's account link and the body's type size."""
    header = page.get_by_role("banner").locator(".rm-header__link").first.inner_text()
    size = page.evaluate("() => getComputedStyle(document.body).fontSize")
    return header.strip(), size


@pytest.mark.browser
def test_login_and_elder_mode_show_at_once_in_header_and_type(live_site, browser_page):
    page = browser_page
    home = live_site.url("/")

    page.goto(home)
    assert seen(page) == ("登录", STANDARD)
    # The service worker takes over this page, so every later navigation goes through it.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    assert seen(page) == ("登录", STANDARD)

    # 长辈模式 before signing in, from the header.
    with page.expect_navigation():
        page.get_by_test_id("header-elder-switch").click()
    assert seen(page) == ("登录", ELDER)
    page.goto(home)
    assert seen(page) == ("登录", ELDER)

    # Signing in: the next 首页 is made for this person, still in 长辈模式.
    login_by_sms(page, live_site, PHONE, next_path="/")
    assert page.url == home
    assert seen(page) == ("我的", ELDER)
    page.goto(home)
    assert seen(page) == ("我的", ELDER)

    # 长辈模式 off, signed in.
    with page.expect_navigation():
        page.get_by_test_id("header-elder-switch").click()
    assert seen(page) == ("我的", STANDARD)
    page.goto(home)
    assert seen(page) == ("我的", STANDARD)

    # The worker kept no visitor's page for this signed-in phone.
    kept = page.evaluate("""async () => {
        const names = (await caches.keys()).filter((n) => n.endsWith("-pages"));
        const urls = [];
        for (const name of names) {
            for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
        }
        return urls;
    }""")
    assert "/" not in kept, f"the service worker still holds {kept}"

    # Logging out: a visitor again, at once.
    page.goto(live_site.url("/me/"))
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()
    assert seen(page) == ("登录", STANDARD)
    page.goto(home)
    assert seen(page) == ("登录", STANDARD)

    assert_no_page_problems(page)
