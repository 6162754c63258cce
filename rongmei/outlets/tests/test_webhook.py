"""Signed webhooks against a stand-in receiver that verifies signatures the documented way."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from django.utils import timezone

from rongmei.outlets import services
from rongmei.outlets.delivery import deliver_due
from rongmei.outlets.models import Delivery, DeliveryAttempt

from .conftest import make_outlet, make_snapshot

pytestmark = pytest.mark.django_db
SECRET = "whsec-9c1f2e"


def verify(headers: dict, body: bytes, secret: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (docs/architecture.md, "Outlets"): recompute the HMAC over
    timestamp + "." + raw body, compare in constant time, refuse stale timestamps."""
    timestamp = headers["x-rongmei-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-rongmei-signature"])


def receiver(standin, *, statuses=None):
    """Answers with the next status from ``statuses`` (then 200), refusing bad signatures."""
    queue = list(statuses or [])

    def route(request):
        if not verify(request.headers, request.body, SECRET):
            return 401, {"error": "bad signature"}
        status = queue.pop(0) if queue else 200
        if status == 200:
            return 200, {"id": "remote-" + request.headers["x-rongmei-delivery"],
                         "url": "https://partner.example/a/1"}
        return status, {"error": "nope"}

    return standin(route)


def test_webhook_delivers_signed_ninjs_and_records_remote_id(
        standin, django_capture_on_commit_callbacks):
    server = receiver(standin)
    outlet = make_outlet("webhook", api_base=server.url + "/hook", secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[outlet.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == "success" and delivery.remote_id == f"remote-{delivery.pk}"
    [request] = server.requests
    assert request.headers["x-rongmei-event"] == "story.publish"
    assert request.headers["x-rongmei-delivery"] == str(delivery.pk)
    story = request.json()["story"]
    assert story["guid"] == "story:1" and story["pubstatus"] == "usable"
    assert story["headlines"][0]["value"].startswith("广昌白莲")
    assert {"name": "白莲"} in story["subjects"]
    assert SECRET not in request.body.decode()


def test_a_wrong_secret_is_refused_by_the_receiver_and_fails_without_retry(
        standin, django_capture_on_commit_callbacks):
    server = receiver(standin)
    outlet = make_outlet("webhook", api_base=server.url, secret="not-the-secret")
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[outlet.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.next_attempt_at is None
    assert "HTTP 401" in delivery.last_error and "被平台拒绝" in delivery.last_error


def test_client_errors_fail_at_once_server_errors_retry_with_backoff(
        standin, django_capture_on_commit_callbacks):
    failing = receiver(standin, statuses=[422])
    flaky = receiver(standin, statuses=[503, 500])
    bad = make_outlet("webhook", api_base=failing.url, secret=SECRET, name="bad")
    shaky = make_outlet("webhook", api_base=flaky.url, secret=SECRET, name="shaky")
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[bad.pk, shaky.pk])
    refused = Delivery.objects.get(outlet=bad)
    assert refused.status == "failed" and refused.attempts == 1
    retrying = Delivery.objects.get(outlet=shaky)
    assert retrying.status == "retrying" and retrying.attempts == 1
    assert 59 <= (retrying.next_attempt_at - before).total_seconds() <= 62
    assert "稍后自动重试" in retrying.last_error and "HTTP 503" in retrying.last_error_detail

    assert deliver_due() == {"requeued": 0, "sent": 0}  # not due yet
    Delivery.objects.filter(pk=retrying.pk).update(next_attempt_at=timezone.now())
    deliver_due()
    retrying.refresh_from_db()
    assert retrying.status == "retrying" and retrying.attempts == 2
    assert 119 <= (retrying.next_attempt_at - timezone.now()).total_seconds() <= 121
    Delivery.objects.filter(pk=retrying.pk).update(next_attempt_at=timezone.now())
    deliver_due()
    retrying.refresh_from_db()
    assert retrying.status == "success" and retrying.attempts == 3
    outcomes = list(DeliveryAttempt.objects.filter(delivery=retrying)
                    .values_list("number", "outcome"))
    assert outcomes == [(1, "retry"), (2, "retry"), (3, "success")]
    assert len(failing.requests) == 1  # never retried


def test_timeouts_are_retried(standin, django_capture_on_commit_callbacks, settings):
    def slow(request):
        time.sleep(1.0)
        return 200, {}

    server = standin(slow)
    settings.OUTLETS_HTTP_TIMEOUT = 0.2
    outlet = make_outlet("webhook", api_base=server.url, secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[outlet.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying"
    assert "连接平台失败或超时" in delivery.last_error


def test_wechat_channels_gateway_gets_the_video_package(standin,
                                                       django_capture_on_commit_callbacks):
    server = receiver(standin)
    outlet = make_outlet("wechat_channels", api_base=server.url, secret=SECRET)
    video = {"file": "video/a.mp4", "url": "https://rm.example.cn/media/video/a.mp4",
             "poster_file": None, "duration": 31.5}
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(type="video", video=video), outlet_ids=[outlet.pk])
    [request] = server.requests
    body = request.json()
    assert body["video_url"] == video["url"]
    assert body["description"].endswith("#白莲 #乡村振兴")
    assert len(body["short_title"]) <= 16
    assert Delivery.objects.get().status == "success"
