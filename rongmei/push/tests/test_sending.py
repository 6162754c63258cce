"""Broadcasting against a stand-in push service that verifies VAPID, the encoding and the
encrypted payload exactly as a real one does."""

from __future__ import annotations

import pytest

from rongmei.push import services
from rongmei.push.models import PushMessage, PushSubscription

from .conftest import subscribe

pytestmark = pytest.mark.django_db


def send(django_capture_on_commit_callbacks, **fields) -> PushMessage:
    values = {"title": "突发：县城主干道临时封闭", "body": "今晚20时起人民路施工封闭，请绕行。",
              "url": "/news/1234/"}
    values.update(fields)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.broadcast(**values)
    return PushMessage.objects.get(pk=message.pk)


def test_breaking_push_reaches_the_browser_signed_encrypted_and_urgent(
        client, push_service, django_capture_on_commit_callbacks):
    assert subscribe(client, push_service.new_subscription("a")).status_code == 200

    message = send(django_capture_on_commit_callbacks)

    assert push_service.problems == []
    [received] = push_service.received
    assert received.payload["title"] == "突发：县城主干道临时封闭"
    assert received.payload["body"] == "今晚20时起人民路施工封闭，请绕行。"
    assert received.payload["url"] == "/news/1234/"
    assert received.payload["icon"].endswith(".png")
    assert received.headers["urgency"] == "high"
    assert int(received.headers["ttl"]) == 4 * 3600
    assert received.claims["aud"] == push_service.origin
    assert (message.status, message.target_count, message.delivered_count,
            message.failed_count) == ("done", 1, 1, 0)
    assert message.finished_at is not None
    assert PushSubscription.objects.get().last_success_at is not None


def test_gone_subscriptions_are_deleted_and_do_not_stop_the_batch(
        client, push_service, django_capture_on_commit_callbacks, settings):
    settings.PUSH_BATCH_SIZE = 2  # three batches for five subscribers
    statuses = {"ok1": [201], "gone410": [410], "gone404": [404], "ok2": [201], "ok3": [201]}
    for token, script in statuses.items():
        subscribe(client, push_service.new_subscription(token, statuses=script))

    message = send(django_capture_on_commit_callbacks)

    assert push_service.problems == []
    assert sorted(r.token for r in push_service.received) == ["ok1", "ok2", "ok3"]
    remaining = set(PushSubscription.objects.values_list("endpoint", flat=True))
    assert remaining == {f"{push_service.origin}/push/{t}" for t in ("ok1", "ok2", "ok3")}
    assert (message.delivered_count, message.removed_count, message.failed_count,
            message.status) == (3, 2, 0, "done")


def test_server_errors_and_throttling_are_retried(
        client, push_service, django_capture_on_commit_callbacks):
    subscribe(client, push_service.new_subscription("flaky", statuses=[500, 429]))
    subscribe(client, push_service.new_subscription("steady"))

    message = send(django_capture_on_commit_callbacks)

    assert push_service.attempts == {"flaky": 3, "steady": 1}
    assert [p["title"] for p in push_service.payloads("flaky")] == ["突发：县城主干道临时封闭"]
    assert (message.delivered_count, message.failed_count, message.status) == (2, 0, "done")


def test_retries_are_limited_then_the_subscription_counts_as_failed(
        client, push_service, django_capture_on_commit_callbacks, settings):
    settings.PUSH_MAX_ATTEMPTS = 3
    subscribe(client, push_service.new_subscription("down", statuses=[503] * 10))

    message = send(django_capture_on_commit_callbacks)

    assert push_service.attempts == {"down": 3}
    assert (message.delivered_count, message.failed_count, message.status) == (0, 1, "done")
    assert PushSubscription.objects.get().failure_count == 1


def test_a_subscription_failing_message_after_message_is_dropped(
        client, push_service, django_capture_on_commit_callbacks, settings):
    settings.PUSH_MAX_CONSECUTIVE_FAILURES = 2
    subscribe(client, push_service.new_subscription("bad", statuses=[400, 400]))

    send(django_capture_on_commit_callbacks)
    assert PushSubscription.objects.get().failure_count == 1
    send(django_capture_on_commit_callbacks, title="第二条")
    assert not PushSubscription.objects.exists()


def test_success_resets_the_failure_count(
        client, push_service, django_capture_on_commit_callbacks):
    subscribe(client, push_service.new_subscription("once", statuses=[400]))
    send(django_capture_on_commit_callbacks)
    send(django_capture_on_commit_callbacks, title="第二条")
    subscription = PushSubscription.objects.get()
    assert subscription.failure_count == 0 and subscription.last_success_at is not None


def test_the_stand_in_refuses_a_token_signed_with_another_key(
        client, push_service, django_capture_on_commit_callbacks):
    """The verification is real: a subscription made for another server key is refused
    (403), which counts as a failure, not a delivery."""
    from rongmei.push.keys import generate_private_key, public_key_b64url

    push_service.application_server_key = public_key_b64url(generate_private_key())
    subscribe(client, push_service.new_subscription("other-key"))

    message = send(django_capture_on_commit_callbacks)

    assert push_service.received == []
    assert push_service.problems == [
        "other-key: k is not the key this subscription was created with"]
    assert (message.delivered_count, message.failed_count) == (0, 1)


def test_unreachable_push_service_is_retried_then_failed(
        django_capture_on_commit_callbacks, settings):
    from .push_service import Browser

    settings.PUSH_ENDPOINT_HOSTS = ("127.0.0.1",)
    settings.PUSH_RETRY_DELAY_SECONDS = 0
    settings.PUSH_REQUEST_TIMEOUT = 2
    browser = Browser()
    PushSubscription.objects.create(endpoint="https://127.0.0.1:9/push/nobody",
                                    p256dh=browser.p256dh, auth=browser.auth)

    message = send(django_capture_on_commit_callbacks)

    assert (message.failed_count, message.status) == (1, "done")


def test_retries_are_deferred_when_the_task_backend_can_defer(
        client, push_service, settings):
    """In production (database backend) a retry is a new task run later, not a pause."""
    from django_tasks import task_backends

    from rongmei.push import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subscribe(client, push_service.new_subscription("later", statuses=[503]))
    message = PushMessage.objects.create(title="t", body="b", url="/", status="sending",
                                         target_count=1)
    subscription = PushSubscription.objects.get()

    tasks.push_send_batch.call(message.pk, [subscription.pk], 1)

    [queued] = task_backends["default"].results
    assert queued.args == [message.pk, [subscription.pk], 2]
    assert queued.task.run_after is not None
    message.refresh_from_db()
    assert (message.status, message.failed_count, message.delivered_count) == ("sending", 0, 0)


def test_a_rolled_back_transaction_sends_nothing(
        client, push_service, django_capture_on_commit_callbacks):
    from django.db import transaction

    subscribe(client, push_service.new_subscription("a"))
    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError),
          transaction.atomic()):
        services.broadcast(title="标题", body="内容", url="/")
        raise RuntimeError("the story failed to publish")
    assert push_service.received == [] and not PushMessage.objects.exists()
