"""The console's Content-Security-Policy: no eval anywhere, and no inline script at all on
Rongmei's own screens (where resident text — comments, reports, 问政, 爆料 — is shown to
staff), so a script that slipped into such a page cannot run. Wagtail's own screens keep
'unsafe-inline' for the inline scripts Wagtail 8 still ships (date/time widgets, inline
panels). In a real browser, the superuser opens every screen of the menu and the story
editor; the browser reports every script either policy refused, and there must be none.
"""

from __future__ import annotations

import io

import pytest

from rongmei.browser_testing import login_console, open_page
from rongmei.core.tests.test_console_crawl import menu_urls
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}


def script_src(policy: str) -> str:
    return policy.split("script-src", 1)[1].split(";")[0]


def test_the_console_policies_allow_no_eval_and_own_screens_no_inline_script(settings):
    assert "'unsafe-eval'" not in settings.CSP_ADMIN + settings.CSP_ADMIN_STRICT
    assert script_src(settings.CSP_ADMIN_STRICT).split() == ["'self'"]


@pytest.mark.django_db
def test_own_screens_get_the_strict_policy_and_wagtail_screens_the_other(client):
    from django.conf import settings

    client.force_login(make_user("editor"))
    moderation = client.get("/admin/engage_comments/")
    assert moderation.status_code == 200
    assert script_src(moderation["Content-Security-Policy"]).split() == ["'self'"]
    explorer = client.get("/admin/images/")
    assert explorer.status_code == 200
    assert "'unsafe-inline'" in script_src(explorer["Content-Security-Policy"])
    assert "'unsafe-inline'" in script_src(settings.CSP_ADMIN)


def test_console_screens_run_under_the_strict_policy(live_server, browser):
    from django.core.management import call_command

    from rongmei.news.models import StoryPage

    call_command("seed_demo", scale=3, stdout=io.StringIO())
    admin = make_user(is_superuser=True, is_staff=True)
    page = open_page(browser, DESKTOP)
    refused: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and refused.append(f"{page.url}: {message.text[:300]}"))
    login_console(page, live_server.url, admin)
    page.goto(f"{live_server.url}/admin/")
    urls = sorted(menu_urls(page.content()))
    story = StoryPage.objects.live().first()
    urls += [f"/admin/pages/{story.pk}/edit/", f"/admin/pages/{story.get_parent().pk}/"]
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
    assert not refused, "scripts the console's policy refused:\n" + "\n".join(refused)
    # The date pickers still start, without their inline script, on a strict screen.
    page.goto(f"{live_server.url}/admin/voucher_statements/")
    page.wait_for_function(
        "() => !!window.jQuery && !!jQuery('#id_period_from').data('xdsoft_datetimepicker')")
    assert page.locator("[data-rm-chooser][data-rm-started]").count() == 2
    page.context.close()



@pytest.mark.django_db
def test_a_screen_with_a_wagtail_chooser_keeps_the_wagtail_policy(client):
    """Wagtail's choosers start with an inline script (adversarial review: the live room
    form's cover chooser did not open under the strict policy)."""
    client.force_login(make_user(is_superuser=True, is_staff=True))
    response = client.get("/admin/live/new/")
    assert response.status_code == 200
    assert "new ImageChooser(" in response.content.decode()
    assert "'unsafe-inline'" in script_src(response["Content-Security-Policy"])
