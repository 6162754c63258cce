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
