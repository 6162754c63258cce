"""The /api/v1 accounts endpoints: token login, errors in one shape, never a 500."""

import json

import pytest

from rongmei.accounts import selectors

PHONE = "13812345678"


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data) if not isinstance(data, str) else data,
                       content_type="application/json", **headers)


def token_login(client, phone=PHONE):
    assert post(client, "/api/v1/auth/otp", {"phone": phone}).status_code == 200
    code = selectors.outbox_latest_code(phone=phone)
    response = post(client, "/api/v1/auth/login", {"phone": phone, "code": code,
                                                   "device": "测试机"})
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.mark.django_db
def test_native_client_logs_in_with_a_bearer_token(client):
    token = token_login(client)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["phone"] == "138****5678"
    assert me.json()["roles"] == ["resident"]


@pytest.mark.django_db
def test_profile_update_and_realname_via_api(client):
    token = token_login(client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.patch("/api/v1/me", json.dumps({"nickname": "莲乡人", "elder_mode": True}),
                            content_type="application/json", **auth)
    assert response.status_code == 200
    assert response.json()["nickname"] == "莲乡人" and response.json()["elder_mode"] is True
    bad = post(client, "/api/v1/me/realname", {"name": "张三", "id_number": "123"}, **auth)
    assert bad.status_code == 400
    assert bad.json() == {"code": "invalid_id_number", "field": "id_number",
                          "message": "身份证号码应为18位，最后一位可以是数字或X"}
    good = post(client, "/api/v1/me/realname", {"name": "张三", "id_number": "11010119900307803X"},
                **auth)
    assert good.json()["realname"] == {"name": "张*", "id_number": "110***********803X",
                                       "verified_at": good.json()["realname"]["verified_at"]}


@pytest.mark.django_db
def test_logout_revokes_the_token(client):
    token = token_login(client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert post(client, "/api/v1/auth/logout", {}, **auth).status_code == 200
    assert client.get("/api/v1/me", **auth).status_code == 401


@pytest.mark.django_db
def test_delete_account_via_api(client):
    token = token_login(client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.delete("/api/v1/me", **auth).status_code == 200
    assert client.get("/api/v1/me", **auth).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("url,body,status,code", [
    ("/api/v1/auth/otp", "{not json", 400, "malformed_request"),
    ("/api/v1/auth/otp", {}, 422, "invalid_request"),
    ("/api/v1/auth/otp", {"phone": 13812345678}, 422, "invalid_request"),
    ("/api/v1/auth/otp", {"phone": "110"}, 400, "invalid_phone"),
    ("/api/v1/auth/otp", [], 400, "malformed_request"),  # a body is a JSON object
    ("/api/v1/auth/login", {"phone": PHONE, "code": "123456"}, 401, "otp_invalid"),
    ("/api/v1/auth/login", {"phone": PHONE}, 422, "invalid_request"),
    ("/api/v1/auth/login", {"phone": PHONE, "code": "12"}, 400, "invalid_code"),
])
def test_bad_input_gets_a_stable_code_and_a_chinese_message(client, url, body, status, code):
    response = post(client, url, body)
    assert response.status_code == status
    payload = response.json()
    assert payload["code"] == code
    assert set(payload) >= {"code", "message", "field"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in payload["message"])


@pytest.mark.django_db
def test_rate_limited_answers_429_with_retry_after(client):
    post(client, "/api/v1/auth/otp", {"phone": PHONE})
    response = post(client, "/api/v1/auth/otp", {"phone": PHONE})
    assert response.status_code == 429
    assert response.json()["code"] == "otp_too_soon"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_unauthenticated_me_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录", "field": None}


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_session_auth_requires_csrf_for_writes(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.patch("/api/v1/me", json.dumps({"nickname": "x"}),
                            content_type="application/json")
    assert response.status_code in (401, 403)
    assert client.get("/api/v1/me").status_code == 200


def test_openapi_schema_and_docs_are_published(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/otp" in paths and "/api/v1/me" in paths and "/api/v1/units" in paths
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
def test_native_clients_post_with_a_bearer_token_and_no_csrf(make_user):
    from django.test import Client

    from rongmei.accounts.services import api_token_issue

    client = Client(enforce_csrf_checks=True)
    token = api_token_issue(user=make_user())
    response = client.patch("/api/v1/me", json.dumps({"nickname": "原生"}),
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["nickname"] == "原生"


@pytest.mark.django_db
def test_a_nickname_with_a_blocked_word_is_refused(client, make_user):
    """The nickname is shown beside every comment: it passes the word gate like them."""
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    word_create(actor=make_user("operator"), word="网络赌博", level="block", kind="sensitive")
    token = token_login(client)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for nickname in ("网络赌博", "网\u200b络赌博", "網絡賭博"):
        response = client.patch("/api/v1/me", json.dumps({"nickname": nickname}),
                                content_type="application/json", **auth)
        assert response.status_code == 400, nickname
        assert response.json()["code"] == "wordgate_blocked"
        assert response.json()["field"] == "nickname"
    assert client.get("/api/v1/me", **auth).json()["nickname"] != "网络赌博"
    PROCESS_CACHE.reset()
