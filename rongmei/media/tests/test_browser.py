"""In a real browser: the console's progress bar follows the transcode without a reload,
and the detail page shows the player once the asset is ready."""

from __future__ import annotations

import pytest

from .conftest import make_asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """A console session for ``user`` (the SMS login is tested elsewhere)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": session.session_key, "url": live_server.url}])


@pytest.fixture
def browser_context_args():
    return {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai", "service_workers": "block"}


def test_progress_bar_moves_and_the_player_appears(browser_page, live_server, make_user):
    from django.utils import timezone

    from rongmei.browser_testing import assert_no_page_problems
    from rongmei.media.models import MediaAsset

    page = browser_page
    reporter = make_user("reporter")
    asset = make_asset(title="县运会开幕式", status="processing", progress=10,
                       processing_started_at=timezone.now())
    sign_in(page, live_server, reporter)
    page.goto(f"{live_server.url}/admin/av/")
    bar = page.locator("[data-av-progress]")
    assert bar.get_attribute("value") == "10"
    MediaAsset.objects.filter(pk=asset.pk).update(progress=60)
    page.wait_for_function(
        "() => document.querySelector('[data-av-progress]').value === 60", timeout=10_000)
    assert "转码中 60%" in page.locator("[data-av-status-label]").inner_text()

    page.goto(f"{live_server.url}/admin/av/{asset.pk}/")
    assert page.locator("video").count() == 0
    MediaAsset.objects.filter(pk=asset.pk).update(status="ready", progress=100)
    page.locator("video").wait_for(timeout=10_000)  # the page reloads itself when ready
    assert page.locator("video source[type='video/mp4']").count() == 1
    assert_no_page_problems(page)
