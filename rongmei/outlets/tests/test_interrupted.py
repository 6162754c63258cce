"""A worker killed after the outlet accepted the publish call never makes it publish twice:
the send is marked as started before it goes out, and a later attempt that finds the mark
stops for a person to check instead of posting again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.outlets import delivery as engine
from rongmei.outlets import services
from rongmei.outlets.models import Delivery

from .conftest import make_outlet, make_snapshot

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process dying: not an Exception, so nothing in the engine catches it."""


def test_a_worker_killed_after_the_outlet_accepted_never_publishes_twice(
        standin, monkeypatch, django_capture_on_commit_callbacks, make_user):
    posts = []

    def route(request):  # a Weibo stand-in that counts publishes
        if request.path == "/2/statuses/share.json":
            posts.append(request.form.get("status"))
            return 200, {"id": 4900, "idstr": "4900", "mid": "4900", "user": {"idstr": "1"}}
        return 404, {"error": "no such api", "error_code": 10014}

    server = standin(route)
    outlet = make_outlet("weibo", api_base=server.url, secret="2.00token", rip="203.0.113.7")
    snapshot = make_snapshot()
    snapshot["images"], snapshot["cover"] = [], None
    services.distribute(snapshot, outlet_ids=[outlet.pk])  # queued; not sent yet
    delivery = Delivery.objects.get()

    real_transmit = type(engine.adapter_for("weibo")).transmit

    def transmit_then_die(self, **kwargs):
        real_transmit(self, **kwargs)  # the platform accepted the post ...
        raise Killed  # ... and the worker died before recording it

    monkeypatch.setattr(type(engine.adapter_for("weibo")), "transmit", transmit_then_die)
    with pytest.raises(Killed):
        engine.send(delivery.pk)
    monkeypatch.undo()
    assert len(posts) == 1
    delivery.refresh_from_db()
    assert delivery.status == "in_progress"

    # 15 minutes later the every-minute runner requeues the stale row and runs it again.
    Delivery.objects.filter(pk=delivery.pk).update(started_at=timezone.now() - timedelta(
        minutes=20))
    counts = engine.deliver_due()
    assert counts["requeued"] == 1
    assert len(posts) == 1  # not posted twice
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "不再自动重试" in delivery.last_error

    # After checking the platform, a person retries: it goes out again, once.
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(actor=make_user("operator"), delivery_id=delivery.pk)
    assert len(posts) == 2
    assert Delivery.objects.get(pk=delivery.pk).status == "success"
