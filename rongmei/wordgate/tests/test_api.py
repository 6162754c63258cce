"""POST /api/v1/wordgate/check: staff get hits; residents and strangers do not."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/wordgate/check"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


@pytest.mark.parametrize("role", ["editor", "chief_editor", "director", "operator",
                                  "administrator", "reporter"])
def test_staff_check_text_and_get_hits_with_offsets(client, make_user, role):
    client.force_login(make_user(role))
    response = post(client, {"text": "本店代开发票，师傅按装"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["blocked"] is True
    assert body["message"] == "含有禁用词：代开发票；请核对：按装（应为“安装”）"
    assert body["hits"] == [
        {"word": "代开发票", "start": 2, "end": 6, "level": "block", "kind": "sensitive",
         "suggestion": ""},
        {"word": "按装", "start": 9, "end": 11, "level": "review", "kind": "typo",
         "suggestion": "安装"}]
    assert body["text"] == "本店代开发票，师傅按装"
    assert '<mark class="wg-block"' in body["highlighted"]


def test_html_is_scanned_as_its_visible_text(client, make_user):
    client.force_login(make_user("editor"))
    body = post(client, {"html": "<p>通知</p><p>办证<b>刻章</b></p>"}).json()
    assert body["text"] == "通知\n办证刻章"
    hit, = body["hits"]
    assert body["text"][hit["start"]:hit["end"]] == "办证刻章"


def test_clean_text_is_not_blocked(client, make_user):
    client.force_login(make_user("editor"))
    body = post(client, {"text": "今天天气晴"}).json()
    assert body == {"blocked": False, "message": "", "hits": [], "text": "今天天气晴",
                    "highlighted": "今天天气晴"}


def test_resident_gets_403_with_a_chinese_message(client, make_user):
    client.force_login(make_user())
    response = post(client, {"text": "代开发票"})
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied",
                               "message": "敏感词检测仅限工作人员使用", "field": None}


def test_anonymous_gets_401(client):
    response = post(client, {"text": "代开发票"})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_bearer_token_staff_can_check(client, make_user):
    from rongmei.accounts.services import api_token_issue

    token = api_token_issue(user=make_user("editor"), label="测试")
    response = client.post(URL, {"text": "按装"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["hits"][0]["suggestion"] == "安装"


@pytest.mark.parametrize("body,code", [
    ({}, "text_or_html"), ({"text": "a", "html": "b"}, "text_or_html"),
    ({"text": 5}, "invalid_request"), ({"text": "字" * 200_001}, "text_too_long"),
])
def test_bad_bodies_get_a_422_with_a_stable_code(client, make_user, body, code):
    client.force_login(make_user("editor"))
    response = post(client, body)
    assert response.status_code == 422 and response.json()["code"] == code
    assert response.json()["message"]


def test_malformed_json_gets_400(client, make_user):
    client.force_login(make_user("editor"))
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"
