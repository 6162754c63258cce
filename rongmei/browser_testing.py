"""Real-browser testing: a live Rongmei site and a headless Chromium (Playwright) page on it.

A pytest plugin. Load it with ``pytest_plugins = ["rongmei.browser_testing"]`` in the root
conftest.py (or import the fixtures into a package's conftest.py). Fixtures:

``live_site``
    pytest-django's ``live_server`` (hence a transactional database) holding the resident
    site: the home page with its three tab pages, the demo layout and the demo county
    (``seed_demo --scale 5``). Transactional tests flush the database afterwards, which
    removes what the data migration created, so every test rebuilds it here.
    ``live_site.url("/me/")`` is an absolute address.
``browser``
    A headless Debian Chromium, launched for one test and closed after it.
``browser_context_args``
    Options for the browser context (phone-sized viewport, zh-CN, service workers
    blocked). Override it in a test module to change them.
``browser_page``
    A fresh page in a fresh context (no cookies). It records failed requests, uncaught
    script errors and console errors (CSP violations appear there) in ``page.problems``;
    ``assert_no_page_problems(page)`` checks them.

Helpers: ``login_by_sms(page, live_site, phone)`` signs in through the login page with the
code from the console provider's outbox; ``axe_violations(page)`` and
``assert_accessible(page, label)`` run axe-core; ``screenshot(page, path)``.

Chromium is /usr/bin/chromium (``apt-get install chromium fonts-noto-cjk``; see
``make system``). Without it the browser tests skip, unless RONGMEI_REQUIRE_BROWSER=1
(CI), when they fail.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# axe is fetched from the site's own origin (answered by Playwright, never by Django), so
# it loads under the real Content-Security-Policy (script-src 'self') without bypass_csp.
AXE_URL_PATH = "/__browser_testing__/axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# A phone: what residents use. 390×844 CSS pixels is a common recent handset.
PHONE_VIEWPORT = {"width": 390, "height": 844}


def browser_required() -> bool:
    return os.environ.get("RONGMEI_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str, packages: str = "chromium fonts-noto-cjk") -> None:
    """Skip a test whose system package is missing, or fail it where CI requires them all."""
    if browser_required():
        pytest.fail(f"{reason} (RONGMEI_REQUIRE_BROWSER=1, so this is an error)", pytrace=False)
    pytest.skip(f"{reason}; run `make system` or apt-get install {packages}")


def require_browser() -> None:
    """Skip (or fail, under RONGMEI_REQUIRE_BROWSER=1) when the browser stack is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"{CHROMIUM} not found")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright Python package is not installed")


# --- The live site --------------------------------------------------------------------------

@dataclass
class LiveSite:
    base_url: str
    home: Any  # rongmei.home.models.HomePage

    def url(self, path: str = "/") -> str:
        return self.base_url.rstrip("/") + path


def ensure_resident_site(*, seed: bool = True, scale: int = 5):
    """The resident site (rebuilt after a transactional test's flush), and with ``seed`` the
    demo county and layout too (``seed_demo``: units, staff, ``scale`` residents, banners)."""
    from django.core.management import call_command

    from rongmei.home.models import HomePage
    from rongmei.home.services import ensure_resident_site as ensure_site

    home = ensure_site()
    if seed:
        call_command("seed_demo", scale=scale, stdout=io.StringIO())
    return HomePage.objects.get(pk=home.pk)


@pytest.fixture
def live_site(live_server) -> LiveSite:
    """The resident site, served by pytest-django's live_server (static and media files
    included), with the demo layout."""
    return LiveSite(base_url=live_server.url, home=ensure_resident_site())


# --- The browser ----------------------------------------------------------------------------

@pytest.fixture
def browser(monkeypatch) -> Iterator[Any]:
    """A headless Chromium for one test.

    Playwright's sync API keeps an asyncio loop marked as running in this thread while it
    is alive, and Django then refuses ORM calls here (SynchronousOnlyOperation) although
    nothing is async. Tests need the ORM between browser steps (the SMS outbox, checking
    saved fields), so the check is switched off for exactly as long as the browser lives;
    the live server answers in its own thread, unaffected. Per-test scope keeps the loop
    from leaking into later tests in the same process (asyncio.run() would refuse to
    start, and Django would keep switching connections).
    """
    require_browser()
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # With a loop "running", Django keeps this thread's connections in a context
            # variable (asgiref Local), apart from the ones pytest-django closes: close
            # those opened meanwhile, or PostgreSQL cannot drop the test database.
            connections.close_all()


@pytest.fixture
def browser_context_args() -> dict:
    return {
        "viewport": PHONE_VIEWPORT,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        # The service worker would add its own fetches and caching to every test; PWA
        # tests can override browser_context_args and allow it.
        "service_workers": "block",
    }


def open_page(browser, context_args: dict):
    """A new browser context (one person's phone) and a page in it that records failed
    requests, script and console errors in ``page.problems`` and can load axe-core.
    Close it with ``page.context.close()``."""
    context = browser.new_context(**context_args)
    context.set_default_timeout(15_000)
    context.route(f"**{AXE_URL_PATH}", lambda route: route.fulfill(
        path=str(AXE_JS), content_type="application/javascript; charset=utf-8"))
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]

    def on_response(response):
        if response.status >= 400:
            page.problems.append(
                f"HTTP {response.status} {response.request.method} {response.url}")

    def on_request_failed(request):
        # A navigation cancels requests still in flight (lazy images): not a problem.
        if "ERR_ABORTED" not in (request.failure or ""):
            page.problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on("console", lambda message: message.type == "error" and page.problems.append(
        f"console error: {message.text}"))
    return page


@pytest.fixture
def browser_page(browser, browser_context_args) -> Iterator[Any]:
    page = open_page(browser, browser_context_args)
    try:
        yield page
    finally:
        page.context.close()


def assert_no_page_problems(page, *, allow: tuple[str, ...] = ()) -> None:
    """No failed requests (4xx/5xx, network errors), script errors or console errors so far,
    except those containing one of the ``allow`` fragments (e.g. an expected 400)."""
    problems = [p for p in page.problems if not any(fragment in p for fragment in allow)]
    assert not problems, "problems in the browser:\n" + "\n".join(problems)


def screenshot(page, path: Path, *, full_page: bool = True) -> Path:
    """Save a PNG of the page, by default its whole length (the fixed tab bar is then drawn
    where the first screen ends, not at the bottom)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --- Sign-in --------------------------------------------------------------------------------

def login_by_sms(page, site: LiveSite, phone: str, *, next_path: str = "") -> None:
    """Sign in through the login page (the current page if it is the login page, at either
    step) with the code read from the SMS outbox: the console provider stores messages
    instead of sending them. Ends on the page the login redirects to."""
    from rongmei.accounts.selectors import outbox_latest_code

    if "/login/" not in page.url:
        page.goto(site.url("/login/" + (f"?next={next_path}" if next_path else "")))
    code_field = page.get_by_label("验证码", exact=True)
    if not code_field.count():  # not already asked for the code of this number
        page.get_by_label("手机号", exact=True).fill(phone)
        page.get_by_role("button", name="获取验证码").click()
        code_field.wait_for()
    code = outbox_latest_code(phone=phone)
    assert code, f"no login code in the SMS outbox for {phone}"
    code_field.fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()


def login_console(page, base_url: str, user, *, next_path: str = "") -> None:
    """Sign ``user`` in to the console with the staff password (``tests_support.PASSWORD``)
    through the console's login form. Ends on the page the login redirects to."""
    from rongmei.tests_support import PASSWORD

    page.goto(f"{base_url}/admin/login/" + (f"?next={next_path}" if next_path else ""))
    page.locator("input[name=username]").fill(user.phone)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()


# --- Accessibility --------------------------------------------------------------------------

def axe_violations(page, *, options: dict | None = None) -> list[dict]:
    """Run axe-core on the current page; the violations, each with its impact and nodes."""
    if not AXE_JS.is_file():
        unavailable(f"{AXE_JS} not found (npm ci installs axe-core)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL_PATH)
    # Colours measured mid-animation (a message fading in) are not what readers see: let
    # finite animations and transitions end first. Decoration hidden from assistive
    # technology (the live room's flying comments) is not checked, so it is not waited for.
    page.wait_for_function("""() => document.getAnimations().every(
        a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity
             || a.effect?.target?.closest?.('[aria-hidden="true"]'))""",
        timeout=5000)
    result = page.evaluate("options => window.axe.run(document, options)",
                           {"resultTypes": ["violations"], **(options or {})})
    return result["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            summary = " ".join(line.strip() for line in
                               node.get("failureSummary", "").splitlines()[1:])
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, label: str, *, impacts: tuple[str, ...] = BLOCKING_IMPACTS,
                      options: dict | None = None) -> list[dict]:
    """No axe violation of the given impacts on the current page. Returns all violations
    (the milder ones are for information)."""
    violations = axe_violations(page, options=options)
    blocking = [v for v in violations if v["impact"] in impacts]
    assert not blocking, (
        f"axe-core found {len(blocking)} {'/'.join(impacts)} problem(s) on {label} "
        f"({page.url}):\n{format_violations(blocking)}")
    return violations
