"""First load of 首页 and of a story is at most 150 KB transferred (PRODUCT.md, quality
targets), measured by a real browser on a cold cache.

The site is served the way ``rongmei demo`` serves it: static files through WhiteNoise and
its finders with ``rongmei.core.compress`` in front (production sends WhiteNoise's
precompressed copies instead), not through the test server's own static handler, which would
hide what a phone actually downloads.
"""

from __future__ import annotations

import pytest

from rongmei.browser_testing import LiveSite, ensure_resident_site, open_page

BUDGET_KB = 150

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def front_door(settings, request):
    """A live server whose static files go through the middleware (WhiteNoise), as in the
    demo; media files come from MEDIA_ROOT."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    overrides = {conn.alias: conn for conn in connections.all()
                 if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    thread = LiveServerThread("localhost", static_handler=lambda app: app,
                              connections_override=overrides)
    thread.daemon = True
    for conn in overrides.values():
        conn.inc_thread_sharing()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield LiveSite(base_url=f"http://localhost:{thread.port}", home=ensure_resident_site())
    finally:
        thread.terminate()
        for conn in overrides.values():
            conn.dec_thread_sharing()


def transferred_kb(page) -> tuple[float, list[tuple[float, str]]]:
    """Bytes over the wire for the document and everything it loaded (headers included)."""
    rows = page.evaluate("""() => performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'))
        .map((e) => [e.transferSize, e.name])""")
    heaviest = sorted(((size / 1024, name) for size, name in rows), reverse=True)[:6]
    return sum(size for size, _ in rows) / 1024, heaviest


def test_first_load_of_home_and_a_story_stays_under_150_kb(front_door, browser,
                                                          browser_context_args):
    from rongmei.news.models import StoryPage

    story = StoryPage.objects.live().order_by("-first_published_at").first()
    assert story is not None, "the demo county has stories"
    for label, path in (("首页", "/"), ("稿件", story.url)):
        page = open_page(browser, browser_context_args)  # a new phone: cold cache
        try:
            response = page.goto(front_door.url(path), wait_until="networkidle")
            assert response.status == 200
            # The static files really came through compressed.
            weui = page.evaluate("""() => performance.getEntriesByType('resource')
                .filter((e) => e.name.includes('weui.min.css'))
                .map((e) => [e.encodedBodySize, e.decodedBodySize])[0]""")
            assert weui and weui[0] < weui[1] / 3, f"WeUI was sent uncompressed: {weui}"
            total, heaviest = transferred_kb(page)
            print(f"{label} {path}: {total:.1f} KB", heaviest)
            assert total <= BUDGET_KB, (
                f"{label} weighs {total:.1f} KB on first load (budget {BUDGET_KB} KB); "
                f"heaviest: {heaviest}")
        finally:
            page.context.close()
