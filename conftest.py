"""Shared pytest fixtures: a clean cache and media folder per test, people in roles, units."""

from __future__ import annotations

import pytest

# Real-browser fixtures (live_site, browser_page, ...) for every app's browser tests.
pytest_plugins = ["rongmei.browser_testing"]


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folder and an empty cache (rate limits, page cache)."""
    from django.core.cache import cache

    from rongmei.core import pagecache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    pagecache._local.clear()
    yield
    cache.clear()


@pytest.fixture
def standin():
    """``standin(route)`` starts a stand-in HTTP server (rongmei.standin) for this test."""
    from rongmei.standin import StandIn

    servers = []

    def start(route):
        server = StandIn(route)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def wechat(settings, standin):
    """A stand-in of WeChat's documented endpoints (core/tests/wechat_platform.py) with the
    settings pointed at it: WeChat on, BASE_URL the test client's host."""
    from rongmei.core.tests.wechat_platform import APPID, SECRET, FakeWechatPlatform

    platform = FakeWechatPlatform()
    platform.url = standin(platform.route).url
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APPID, SECRET
    settings.WECHAT_API_BASE = settings.WECHAT_OPEN_BASE = platform.url
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    return platform


@pytest.fixture
def make_user(db):
    from rongmei.tests_support import make_user as factory

    return factory


@pytest.fixture
def blocked_words(make_user):
    """The word gate's list holds 网络赌博 (block) and 强拆 (review), added by an operator."""
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.normalize import normalize_word
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    operator = make_user("operator")
    for word, level in (("网络赌博", "block"), ("强拆", "review")):
        WordEntry.objects.filter(normalized=normalize_word(word)).delete()
        word_create(actor=operator, word=word, level=level, kind="sensitive")
    yield
    PROCESS_CACHE.reset()


@pytest.fixture
def county(db):
    """A small unit tree: 县 → 融媒体中心, 荷塘镇 → 上塘村, 白水镇, 县住建局."""
    from rongmei.tests_support import build_county

    return build_county()
