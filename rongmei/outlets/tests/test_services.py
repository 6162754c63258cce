"""The newsroom's interface: distribute, retract, correct, deliveries_for — against
webhook stand-ins that answer per outlet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.outlets import services
from rongmei.outlets.delivery import backoff, deliver_due
from rongmei.outlets.models import Delivery, Outlet, Snapshot, SnapshotChangeRefused

from .conftest import make_outlet, make_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(standin):
    """One stand-in; the path decides the answer: /ok → 200, /reject → 400, /down → 503."""
    def route(request):
        return {"/ok": 200, "/reject": 400, "/down": 503}[request.path], {"id": "r1"}

    return standin(route)


def outlets(hub, *answers):
    return [make_outlet("webhook", api_base=f"{hub.url}/{answer}", name=f"{answer}{n}")
            for n, answer in enumerate(answers)]


def publish(snapshot, outlet_list, capture):
    with capture(execute=True):
        return services.distribute(snapshot, outlet_ids=[o.pk for o in outlet_list])


def events(hub, path):
    return [r.headers["x-rongmei-event"] for r in hub.requests if r.path == path]


def test_distribute_stores_a_versioned_snapshot_and_one_delivery_per_active_outlet(
        hub, django_capture_on_commit_callbacks):
    ok, other = outlets(hub, "ok", "ok")
    off = make_outlet("webhook", api_base=f"{hub.url}/ok", name="off")
    Outlet.objects.filter(pk=off.pk).update(is_active=False)
    snap = publish(make_snapshot(), [ok, other, off], django_capture_on_commit_callbacks)
    assert (snap.story_key, snap.version) == ("story:1", 1)
    assert set(Delivery.objects.values_list("outlet_id", "action", "status")) == {
        (ok.pk, "publish", "success"), (other.pk, "publish", "success")}

    edited = make_snapshot(headline="广昌白莲喜获丰收（更新）")
    snap2 = publish(edited, [ok, other], django_capture_on_commit_callbacks)
    assert snap2.version == 2
    assert set(snap2.deliveries.values_list("action", flat=True)) == {"update"}
    assert events(hub, "/ok") == ["story.publish"] * 2 + ["story.update"] * 2
    assert list(services.deliveries_for("story:1").values_list("snapshot__version", flat=True)
                ) == [2, 2, 1, 1]


def test_the_same_content_twice_posts_nothing_new(hub, django_capture_on_commit_callbacks):
    ok, = outlets(hub, "ok")
    snapshot = make_snapshot()
    first = publish(snapshot, [ok], django_capture_on_commit_callbacks)
    again = publish(snapshot, [ok], django_capture_on_commit_callbacks)
    assert again.pk == first.pk and Snapshot.objects.count() == 1
    assert Delivery.objects.count() == 1 and len(hub.requests) == 1
    late, = outlets(hub, "ok")  # an outlet added later still gets the same version once
    publish(snapshot, [ok, late], django_capture_on_commit_callbacks)
    assert Delivery.objects.count() == 2 and len(hub.requests) == 2


def test_publishing_the_same_content_again_resends_a_failed_delivery(
        hub, django_capture_on_commit_callbacks):
    down, = outlets(hub, "down")
    snapshot = make_snapshot()
    publish(snapshot, [down], django_capture_on_commit_callbacks)
    Delivery.objects.update(status="failed", next_attempt_at=None)
    publish(snapshot, [down], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 1
    assert len(hub.requests) == 2


def test_a_new_version_supersedes_one_still_waiting(hub, django_capture_on_commit_callbacks):
    down, = outlets(hub, "down")
    publish(make_snapshot(), [down], django_capture_on_commit_callbacks)
    publish(make_snapshot(headline="新标题"), [down], django_capture_on_commit_callbacks)
    old, new = Delivery.objects.order_by("pk")
    assert old.status == "cancelled" and old.note == "已被新版本取代"
    assert new.action == "publish" and new.status == "retrying"


def test_retract_reaches_exactly_the_outlets_that_received_the_story(
        hub, django_capture_on_commit_callbacks):
    got_it, refused, waiting, never = outlets(hub, "ok", "reject", "down", "ok")
    snapshot = make_snapshot()
    publish(snapshot, [got_it, refused, waiting], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        takedowns = services.retract("story:1", reason="事实有误", actor=None)
    for takedown in takedowns:
        takedown.refresh_from_db()
    assert [(t.outlet_id, t.status) for t in takedowns] == [(got_it.pk, "success")]
    assert events(hub, "/ok") == ["story.publish", "story.takedown"]
    assert Delivery.objects.get(outlet=waiting).status == "cancelled"
    assert Delivery.objects.get(outlet=refused).status == "failed"
    assert not Delivery.objects.filter(outlet=never).exists()
    takedown = takedowns[0]
    assert takedown.note == "事实有误"
    assert takedown.payload["story"]["pubstatus"] == "canceled"
    # Retracting again sends nothing: nobody holds the story any more.
    assert services.retract("story:1", reason="再次撤稿") == []
    # Republishing the same content after a takedown sends it again, as a publish.
    publish(snapshot, [got_it], django_capture_on_commit_callbacks)
    assert events(hub, "/ok") == ["story.publish", "story.takedown", "story.publish"]
    assert Snapshot.objects.count() == 1  # the same version, sent again
    publish(snapshot, [got_it], django_capture_on_commit_callbacks)  # and only once
    assert len(events(hub, "/ok")) == 3
    # An edited version after that is an update.
    publish(make_snapshot(headline="重新发布"), [got_it], django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(outlet=got_it).latest("pk").action == "update"


def test_retract_and_correct_need_a_reason_and_accept_a_story_never_distributed():
    assert services.retract("story:404", reason="原因") == []
    assert services.correct(make_snapshot(key="story:404"), note="更正").version == 1
    assert not Delivery.objects.exists()
    with pytest.raises(ServiceError) as exc:
        services.retract("story:404", reason="  ")
    assert exc.value.code == "reason_required"
    with pytest.raises(ServiceError) as exc:
        services.correct(make_snapshot(), note="")
    assert exc.value.code == "correction_note_required"


def test_correction_goes_only_to_outlets_holding_the_story(
        hub, django_capture_on_commit_callbacks):
    got_it, refused = outlets(hub, "ok", "reject")
    publish(make_snapshot(), [got_it, refused], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        snap = services.correct(make_snapshot(headline="广昌白莲丰收"), note="面积应为11.2万亩")
    assert snap.version == 2 and snap.correction_note == "面积应为11.2万亩"
    [correction] = snap.deliveries.all()
    assert (correction.outlet_id, correction.action, correction.status) == (
        got_it.pk, "correction", "success")
    story = [r for r in hub.requests if r.headers["x-rongmei-event"] == "story.correction"]
    assert story[0].json()["story"]["ednote"] == "更正：面积应为11.2万亩"


def test_platforms_that_cannot_edit_record_the_update_without_calling_out(
        hub, django_capture_on_commit_callbacks):
    weibo = make_outlet("weibo", api_base=hub.url + "/ok")
    Delivery.objects.create(snapshot=Snapshot.objects.create(
        story_key="story:1", version=1, data=make_snapshot()), outlet=weibo,
        story_key="story:1", action="publish", status="success", remote_id="4900")
    publish(make_snapshot(headline="改了标题"), [weibo], django_capture_on_commit_callbacks)
    update = Delivery.objects.get(action="update")
    assert update.status == "cancelled" and update.note.startswith("渠道不支持更新：")
    assert "不能修改" in update.note
    assert hub.requests == []


def test_snapshot_validation_names_the_field():
    with pytest.raises(ServiceError) as exc:
        services.distribute(make_snapshot(uri="/news/1/"), outlet_ids=[])
    assert (exc.value.code, exc.value.field) == ("invalid_snapshot", "uri")
    for field in ("story_key", "headline", "published_at"):
        broken = make_snapshot()
        del broken[field]
        with pytest.raises(ServiceError) as exc:
            services.distribute(broken, outlet_ids=[])
        assert exc.value.field == field
    with pytest.raises(ServiceError) as exc:
        services.distribute(make_snapshot(type="gallery"), outlet_ids=[])
    assert exc.value.field == "type"
    with pytest.raises(ServiceError) as exc:
        services.distribute(make_snapshot(published_at="昨天"), outlet_ids=[])
    assert exc.value.field == "published_at"
    from datetime import datetime

    with pytest.raises(ServiceError) as exc:
        services.distribute(make_snapshot(tags=[datetime.now()]), outlet_ids=[])
    assert exc.value.field == "tags"
    with pytest.raises(ServiceError) as exc:
        services.distribute(make_snapshot(extra=datetime.now()), outlet_ids=[])
    assert exc.value.field == "snapshot"
    assert Snapshot.objects.count() == 0


def test_snapshots_are_immutable(hub, django_capture_on_commit_callbacks):
    snap = publish(make_snapshot(), [], django_capture_on_commit_callbacks)
    snap.data["headline"] = "偷偷改掉"
    with pytest.raises(SnapshotChangeRefused):
        snap.save()
    with pytest.raises(SnapshotChangeRefused):
        snap.delete()
    assert Snapshot.objects.get().data["headline"].startswith("广昌白莲")


def test_backoff_doubles_up_to_the_cap_and_gives_up_after_the_maximum(
        hub, django_capture_on_commit_callbacks, settings):
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600]
    settings.OUTLETS_MAX_ATTEMPTS = 3
    down, = outlets(hub, "down")
    publish(make_snapshot(), [down], django_capture_on_commit_callbacks)
    for _ in range(2):
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3
    assert "已重试3次" in delivery.last_error
    assert delivery.attempt_log.count() == 3


def test_a_delivery_that_lands_after_the_retraction_is_taken_down_too(
        hub, django_capture_on_commit_callbacks):
    ok, = outlets(hub, "ok")
    with django_capture_on_commit_callbacks(execute=False):
        services.distribute(make_snapshot(), outlet_ids=[ok.pk])
    # A worker has claimed it (in progress) when the editor retracts the story.
    Delivery.objects.update(status="in_progress", attempts=1, started_at=timezone.now())
    assert services.retract("story:1", reason="撤稿") == []
    from rongmei.outlets.delivery import run

    with django_capture_on_commit_callbacks(execute=True):
        run(Delivery.objects.select_related("outlet").get())
    assert events(hub, "/ok") == ["story.publish", "story.takedown"]


def test_outlet_secrets_are_encrypted_at_rest():
    outlet = make_outlet("webhook", api_base="https://partner.example/hook",
                         secret="plain-secret-123")
    stored = Outlet.objects.values_list("secret_encrypted", flat=True).get(pk=outlet.pk)
    assert "plain-secret-123" not in stored
    assert Outlet.objects.get(pk=outlet.pk).get_secret() == "plain-secret-123"
