"""Defaults that hold in production and in the demo (DEBUG on): friendly Chinese error
pages with a request id, never Django's technical pages; frame-ancestors agrees with
X-Frame-Options."""

import pytest


@pytest.mark.django_db
def test_demo_shows_the_friendly_404_with_a_request_id(client, settings):
    settings.DEBUG = True
    settings.RONGMEI_TECHNICAL_ERRORS = False
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "请求编号" in body and response["X-Request-ID"] in body
    assert "Traceback" not in body and "URLconf" not in body and "DEBUG = True" not in body


@pytest.mark.django_db
def test_api_404_is_json_in_the_demo_too(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/wenzheng/cases/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_demo_500_is_the_friendly_page(client, settings, monkeypatch):
    from rongmei.core import views

    settings.DEBUG = True
    settings.RONGMEI_TECHNICAL_ERRORS = False

    def broken(request):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views, "hello", broken)
    from django.urls import clear_url_caches

    from rongmei.config import urls

    for pattern in urls.urlpatterns:
        if getattr(pattern, "name", None) == "hello":
            monkeypatch.setattr(pattern, "callback", broken)
    clear_url_caches()
    client.raise_request_exception = False
    response = client.get("/_hello")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器开小差了" in body and "secret detail" not in body and "错误编号" in body


@pytest.mark.django_db
def test_frame_ancestors_matches_x_frame_options(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_no_template_carries_inline_script_handlers_or_javascript_urls():
    """Resident pages and Rongmei's console screens run under ``script-src 'self'``: an
    inline ``<script>``, an ``onclick=`` or a ``javascript:`` link would simply not work
    there (and would be a place for injected script to hide). Data islands
    (``application/json``, ``application/ld+json``) are not scripts."""
    import re
    from pathlib import Path

    import rongmei

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"""<[^>]+\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
    found = []
    for path in Path(rongmei.__file__).parent.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline, handler, re.compile(r"javascript:", re.IGNORECASE)):
            found += [f"{path}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert not found, "\n".join(found)
