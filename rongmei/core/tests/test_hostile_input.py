"""Hostile input is a 4xx, never a 500, and nothing is stored.

Each class — lone UTF-16 surrogates, NUL, integers past 64 bits (body, query string, form,
path), non-finite numbers, a body over the limit, too many form fields — is sent to every
route in the OpenAPI document and to every resident page (the URL resolver's list, with
sample ids), signed in as a resident.
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

HUGE = "123456789012345678901234567890"
JSON_BODIES = {
    "lone-surrogate": '{"title": "\\ud800", "text": "\\udfff", "name": "\\ud83d"}',
    "nul": '{"title": "a\\u0000b", "text": "a\\u0000b"}',
    "huge-int": f'{{"id": {HUGE}, "amount": -{HUGE}, "page_id": {HUGE}}}',
    "huge-float": '{"latitude": 1e400}',
    "surrogate-key": '{"\\ud800": 1}',
}
FORM_VALUES = {"nul": "a\x00b", "huge-int": HUGE}


def _table_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.label in {"sessions.Session", "accounts.LoginAttempt"}:
            continue
        counts[model._meta.label] = model._default_manager.count()
    return counts


def _concrete(path: str, value: str = "1") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def _resident_paths() -> list[str]:
    """Every non-console, non-API page path, with ``1`` for each argument."""
    found = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("admin/", "api/", "documents/", "^api/")):
                    continue
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                full = prefix + route
                if "(?P" in full or full.startswith("^") or "<path:" in full:
                    continue
                found.append("/" + re.sub(r"<[^>]+>", "1", full))

    walk(get_resolver().url_patterns)
    return sorted(set(found))


def _assert_refused(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"


@pytest.fixture
def resident_client(client, make_user):
    client.force_login(make_user(nickname="居民"))
    return client


@pytest.mark.django_db
def test_every_api_route_answers_each_hostile_class_with_a_4xx(resident_client, settings):
    client = resident_client
    document = client.get("/api/v1/openapi.json").json()
    before = _table_counts()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    tried = 0
    for template, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            url = "/api/v1" + _concrete(template)
            send = getattr(client, method)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for value in FORM_VALUES.values():
                query = "&".join(f"{n}={value}" for n in names or ["page"])
                _assert_refused(send(f"{url}?{query}".replace("\x00", "%00")), f"{method} {url}")
            if "{" in template:
                huge = "/api/v1" + _concrete(template, HUGE)
                _assert_refused(send(huge), f"{method} {huge}")
            if method == "get":
                tried += 1
                continue
            for name, body in JSON_BODIES.items():
                response = send(url, body, content_type="application/json")
                _assert_refused(response, f"{method} {url} {name}")
                if response.status_code == 400:
                    assert set(response.json()) >= {"code", "message", "field"}
            big = json.dumps({"text": "长" * 2000})
            response = send(url, big, content_type="application/json")
            _assert_refused(response, f"{method} {url} too-big")
            many = "&".join(f"f{i}=1" for i in range(50))
            response = send(url, many, content_type="application/x-www-form-urlencoded")
            _assert_refused(response, f"{method} {url} too-many-fields")
            tried += 1
    assert tried > 50
    assert _table_counts() == before


@pytest.mark.django_db
def test_hostile_json_is_refused_with_the_error_shape_in_chinese(resident_client, settings):
    response = resident_client.patch("/api/v1/me", JSON_BODIES["lone-surrogate"],
                                     content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_text" and "字符" in response.json()["message"]
    response = resident_client.patch("/api/v1/me", JSON_BODIES["huge-int"],
                                     content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "number_out_of_range"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = resident_client.patch("/api/v1/me", json.dumps({"nickname": "长" * 200}),
                                     content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


@pytest.mark.django_db
def test_every_resident_page_answers_each_hostile_class_with_a_4xx(resident_client, settings):
    client = resident_client
    before = _table_counts()
    paths = _resident_paths()
    assert "/wenzheng/new/" in paths and "/login/" in paths
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    for path in paths:
        for value in FORM_VALUES.values():
            _assert_refused(client.get(path, {"category": value, "page": value, "q": value}),
                            f"GET {path}")
            form = {"title": value, "text": value, "name": value, "category": value,
                    "product": value, "delta": value, "stock": value, "area": value}
            _assert_refused(client.post(path, form), f"POST {path}")
        _assert_refused(client.post(path, {f"f{i}": "1" for i in range(50)}),
                        f"POST {path} too-many-fields")
        if "/1/" in path:
            huge = path.replace("/1/", f"/{HUGE}/", 1)
            _assert_refused(client.get(huge), f"GET {huge}")
    assert _table_counts() == before


@pytest.mark.django_db
def test_a_hostile_page_request_gets_a_friendly_chinese_page(resident_client, settings):
    response = resident_client.get("/wenzheng/", {"category": HUGE})
    assert response.status_code == 400
    body = response.content.decode()
    assert "无法处理该请求" in body and "数值超出允许范围" in body
    assert "请求编号" in body
    # Past Python's 4300-digit limit int() itself raises ValueError (was a 500 anywhere).
    for where in ("/", "/wenzheng/", "/api/v1/news/feed"):
        response = resident_client.get(where, {"page_id": "1" * 5000})
        assert response.status_code == 400, where
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = resident_client.post("/wenzheng/new/", {f"f{i}": "1" for i in range(10)})
    assert response.status_code == 400 and "提交的项目过多" in response.content.decode()


@pytest.mark.django_db
def test_the_demo_never_shows_djangos_technical_pages_for_hostile_input(client, settings):
    """The demo runs with DEBUG on: too many fields on a resident form (read by CSRF before
    any view) and ids past 64 bits in a path still get the friendly Chinese answers."""
    settings.DEBUG = True
    crowded = client.post("/login/", {f"f{n}": "x" for n in range(1200)})
    assert crowded.status_code == 400
    body = crowded.content.decode()
    assert "提交的项目过多" in body and "Traceback" not in body
    huge = "9" * 25
    page = client.get(f"/wenzheng/cases/{huge}/")
    assert page.status_code == 404 and "URLconf" not in page.content.decode()
    api = client.get(f"/api/v1/merchants/{huge}")
    assert api.status_code in (400, 404) and api["Content-Type"].startswith("application/json")
