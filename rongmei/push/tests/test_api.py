"""The subscribe API: the public key, upsert by endpoint, unsubscribe, and bad input
answered in Chinese with a stable code."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from rongmei.push.models import PushSubscription

from .conftest import subscribe
from .push_service import Browser, b64url

pytestmark = pytest.mark.django_db

FCM = "https://fcm.googleapis.com/fcm/send/dXJ2ZXk6abc123"


def valid(endpoint: str = FCM) -> dict:
    browser = Browser()
    return {"endpoint": endpoint, "expirationTime": None,
            "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}


def test_public_key_is_the_servers_uncompressed_p256_point(client):
    from rongmei.push.keys import server_private_key

    data = client.get("/api/v1/push/vapid-public-key").json()
    raw = base64.urlsafe_b64decode(data["public_key"] + "==")
    assert len(raw) == 65 and raw[0] == 4 and "=" not in data["public_key"]
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    assert point.public_numbers() == server_private_key().public_key().public_numbers()


def test_anonymous_browser_subscribes_and_a_second_post_updates_the_same_row(client):
    first = valid()
    response = subscribe(client, first, HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14)")
    assert response.status_code == 200
    assert response.json() == {"endpoint": FCM, "topics": ["breaking"], "signed_in": False}
    again = valid()  # the browser renewed its keys
    assert subscribe(client, again).status_code == 200
    subscription = PushSubscription.objects.get()
    assert subscription.p256dh == again["keys"]["p256dh"]
    assert subscription.user is None and subscription.topic_list == ["breaking"]
    assert subscription.user_agent == ""  # the second request carried none


def test_signed_in_resident_is_remembered_and_an_anonymous_resubscribe_keeps_them(
        client, make_user):
    resident = make_user()
    token_client = client
    token_client.force_login(resident)
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    # The H5 page sends the CSRF token with its session cookie.
    request = RequestFactory().get("/")
    request.COOKIES = client.cookies
    csrf = get_token(request)
    client.cookies["csrftoken"] = csrf
    response = subscribe(client, valid(), HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200 and response.json()["signed_in"] is True
    client.logout()
    subscribe(client, valid())
    assert PushSubscription.objects.get().user == resident


def test_unsubscribe_deletes_by_endpoint(client):
    subscribe(client, valid())
    response = client.delete("/api/v1/push/subscriptions", json.dumps({"endpoint": FCM}),
                             content_type="application/json")
    assert response.json() == {"deleted": True} and not PushSubscription.objects.exists()
    again = client.delete("/api/v1/push/subscriptions", json.dumps({"endpoint": FCM}),
                          content_type="application/json")
    assert again.status_code == 200 and again.json() == {"deleted": False}


def _with(**changes) -> dict:
    body = valid()
    for key, value in changes.items():
        if key in ("p256dh", "auth"):
            body["keys"][key] = value
        else:
            body[key] = value
    return body


ON_CURVE_COMPRESSED = b64url(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    __import__("cryptography.hazmat.primitives.serialization", fromlist=["x"]).Encoding.X962,
    __import__("cryptography.hazmat.primitives.serialization", fromlist=["x"])
    .PublicFormat.CompressedPoint))


@pytest.mark.parametrize(("body", "code", "field", "message"), [
    (_with(endpoint="http://fcm.googleapis.com/fcm/send/x"), "invalid_endpoint", "endpoint",
     "推送地址必须是 https 地址"),
    (_with(endpoint="https://evil.example.com/push/x"), "unsupported_push_service", "endpoint",
     "不支持该浏览器的推送服务"),
    (_with(endpoint="https://user:pw@fcm.googleapis.com/x"), "invalid_endpoint", "endpoint",
     "推送地址必须是 https 地址"),
    (_with(endpoint="https://fcm.googleapis.com:99999/x"), "invalid_endpoint", "endpoint",
     "推送地址格式不正确"),
    (_with(endpoint=""), "invalid_endpoint", "endpoint", "缺少推送地址"),
    (_with(endpoint="https://fcm.googleapis.com/" + "a" * 1000), "invalid_endpoint",
     "endpoint", "推送地址太长"),
    (_with(p256dh="not base64!"), "invalid_key", "p256dh", "浏览器公钥（p256dh）无效"),
    (_with(p256dh=b64url(b"\x04" + b"\x01" * 64)), "invalid_key", "p256dh",
     "浏览器公钥（p256dh）无效"),  # 65 bytes, but not a point on P-256
    (_with(p256dh=ON_CURVE_COMPRESSED), "invalid_key", "p256dh", "浏览器公钥（p256dh）无效"),
    (_with(auth=b64url(b"\x00" * 8)), "invalid_key", "auth", "认证密钥（auth）无效，应为16字节"),
    (_with(auth="***"), "invalid_key", "auth", "认证密钥（auth）无效，应为16字节"),
    (_with(topics=["sports"]), "invalid_topic", "topics", "不支持的订阅主题"),
])
def test_bad_subscriptions_are_refused_in_chinese(client, body, code, field, message):
    response = subscribe(client, body)
    assert response.status_code == 400
    assert response.json() == {"code": code, "field": field, "message": message}
    assert not PushSubscription.objects.exists()


def test_missing_keys_and_broken_json_get_chinese_4xx(client):
    response = subscribe(client, {"endpoint": FCM})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request" and "缺少必填项" in response.json()["message"]
    broken = client.post("/api/v1/push/subscriptions", "{not json",
                         content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "malformed_request"


def test_subscribing_is_rate_limited_per_address(client, settings):
    settings.PUSH_SUBSCRIBE_PER_MINUTE = 3
    for _ in range(3):
        assert subscribe(client, valid()).status_code == 200
    response = subscribe(client, valid())
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and "频繁" in response.json()["message"]
    assert response["Retry-After"]


def test_deleting_an_account_forgets_its_browsers(client, make_user):
    from rongmei.accounts.services import account_delete

    resident = make_user()
    mine = PushSubscription.objects.create(endpoint=FCM + "mine", p256dh="x", auth="y",
                                           user=resident)
    anonymous = PushSubscription.objects.create(endpoint=FCM + "anon", p256dh="x", auth="y")
    account_delete(user=resident)
    assert list(PushSubscription.objects.all()) == [anonymous]
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()
