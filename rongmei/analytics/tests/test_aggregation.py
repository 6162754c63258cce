"""Collection and aggregation: the beacon writes nothing to the database; the timer's daily
tables equal the raw events exactly, whatever was sent; it can run twice, die half-way or
find Redis flushed without counting anything twice."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rongmei.analytics import aggregation, buffer
from rongmei.analytics.models import DailyCount, Device, DeviceDay, Event, IngestBatch

from .conftest import aggregate, days_ago, send, signed

pytestmark = pytest.mark.django_db

DEVICES = [f"device{i:04d}" for i in range(6)]


def tables() -> tuple:
    counts = sorted(DailyCount.objects.values_list(
        "day", "name", "channel", "page_id", "code", "events", "devices", "seconds"),
        key=repr)
    devices = sorted(Device.objects.values_list("device", "first_day", "last_day", "code",
                                                "installed_on"))
    active = sorted(DeviceDay.objects.values_list("device__device", "day"))
    return counts, devices, active


def test_beacon_writes_nothing_to_the_database(client, backend, django_assert_num_queries):
    with django_assert_num_queries(0):
        send(client, "device0001", [{"name": "app_open"},
                                    {"name": "page_view", "channel": "yaowen", "page": 7}])
    assert buffer.pending_count() == 2
    assert Event.objects.count() == 0
    aggregate()
    assert Event.objects.count() == 2
    assert buffer.pending_count() == 0


@pytest.mark.parametrize("body, field", [
    ({"device": "short", "events": [{"name": "app_open"}]}, "device"),
    ({"device": "device0001", "events": []}, "events"),
    ({"device": "device0001", "events": [{"name": "hack"}]}, "events.name"),
    ({"device": "device0001", "events": [{"name": "read_time", "value": -3}]}, "events.value"),
    ({"device": "device0001", "events": [{"name": "page_view", "page": "7"}]}, "events.page"),
    ({"device": "device0001", "events": [{"name": "page_view", "code": "<x>"}]},
     "events.code"),
])
def test_bad_events_are_refused_whole_with_the_field(client, backend, body, field):
    if body["device"] != "short":
        body = {**body, "device": signed(body["device"])}
    response = client.post("/analytics/collect", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_event" and response.json()["field"] == field
    assert buffer.pending_count() == 0


def test_unreadable_body_is_400_json(client, backend):
    response = client.post("/analytics/collect", "{nope", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"


def test_api_door_for_native_apps(client, backend):
    response = client.post("/api/v1/analytics/events",
                           {"device": signed("native-app-1"), "events": [{"name": "app_open"},
                                                                 {"name": "share", "page": 3}]},
                           content_type="application/json")
    assert response.status_code == 202 and response.json() == {"accepted": 2}
    aggregate()
    assert sorted(Event.objects.values_list("name", flat=True)) == ["app_open", "share"]


def test_signed_in_resident_is_linked_to_the_device(client, backend, make_user):
    resident = make_user()
    client.force_login(resident)
    send(client, "device0001", [{"name": "app_open"}])
    aggregate()
    assert Device.objects.get(device="device0001").user_id == resident.pk


def test_timer_can_run_twice_and_die_half_way(client, backend, clock, monkeypatch):
    clock.at(days_ago(1))
    send(client, "device0001", [{"name": "page_view", "page": 1, "code": "JG01"}] * 3)
    clock.at(days_ago(0))
    send(client, "device0002", [{"name": "read_time", "page": 1, "value": 40}])
    # The first run dies after committing the chunk, before discarding the batch.
    monkeypatch.setattr(buffer.Batch, "discard", lambda self: (_ for _ in ()).throw(
        RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        aggregate()
    monkeypatch.undo()
    assert Event.objects.count() == 4 and DailyCount.objects.count() == 0
    aggregate()  # finds the leftover batch: its chunk is skipped, the days are rebuilt
    first = tables()
    aggregate()
    assert tables() == first
    assert Event.objects.count() == 4
    assert DailyCount.objects.get(day=days_ago(1)).events == 3
    assert DailyCount.objects.get(day=days_ago(0)).seconds == 40


def test_redis_flushed_between_runs_counts_nothing_twice(client, backend, clock):
    clock.at(days_ago(0), hour=9)
    send(client, "device0001", [{"name": "page_view"}] * 2)
    aggregate()
    buffer_lost = ["device0003"]
    send(client, buffer_lost[0], [{"name": "page_view"}])
    _flush_buffer(backend)  # Redis wiped (or the buffer folder lost) before the next run
    aggregate()
    send(client, "device0002", [{"name": "page_view"}])
    aggregate()
    _flush_buffer(backend)
    aggregate()
    assert DailyCount.objects.get().events == 3  # 2 + 1; the wiped one is lost, not doubled
    assert set(Device.objects.values_list("device", flat=True)) == {"device0001", "device0002"}


def _flush_buffer(backend):
    if backend == "redis":
        from rongmei.core.redis import get_redis

        buffer.flush_local()  # what this process staged had reached Redis, then Redis was wiped
        get_redis().flushdb()
    else:
        for batch in buffer.claim(everything=True):
            batch.discard()


def test_raw_events_are_dropped_after_retention_aggregates_stay(client, backend, clock,
                                                                 settings):
    settings.ANALYTICS_RAW_RETENTION_DAYS = 30
    clock.at(days_ago(31))
    send(client, "device0001", [{"name": "page_view"}])
    clock.at(days_ago(1))
    send(client, "device0001", [{"name": "page_view"}])
    aggregate()
    assert list(Event.objects.values_list("day", flat=True)) == [days_ago(1)]
    assert DailyCount.objects.count() == 2 and DeviceDay.objects.count() == 2
    assert Device.objects.get().first_day == days_ago(31)


event_strategy = st.fixed_dictionaries({
    "day": st.integers(0, 3),
    "device": st.sampled_from(DEVICES),
    "name": st.sampled_from(["app_open", "page_view", "read_time", "share", "install"]),
    "channel": st.sampled_from(["", "yaowen", "xiangzhen"]),
    "page": st.sampled_from([None, 11, 12]),
    "value": st.integers(0, 500),
    "code": st.sampled_from(["", "JG01", "XX02"]),
})


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sent=st.lists(event_strategy, min_size=1, max_size=40),
       runs=st.lists(st.integers(0, 40), max_size=3))
def test_daily_tables_equal_the_raw_events(client, backend, clock, sent, runs):
    """Whatever is sent, and wherever the timer happens to run in between, the daily tables
    are exactly the raw events grouped: counts, distinct devices, seconds; devices' first
    day and the 渠道码 of their first coded event; who was active on which day."""
    for model in (DailyCount, DeviceDay, Device, Event, IngestBatch):
        model.objects.all().delete()
    _flush_buffer(backend)
    for index, event in enumerate(sorted(sent, key=lambda e: e["day"]), start=1):
        clock.at(days_ago(3 - event["day"]), hour=8, minute=index)
        body = {k: event[k] for k in ("name", "channel", "page", "value", "code")
                if event[k] not in ("", None)}
        send(client, event["device"], [body])
        if index in runs:
            aggregate()
    aggregate()

    expected_events, expected_devices, seconds = Counter(), defaultdict(set), Counter()
    timed = {"read_time"}
    for event in sent:
        key = (days_ago(3 - event["day"]), event["name"], event["channel"], event["page"],
               event["code"])
        expected_events[key] += 1
        expected_devices[key].add(event["device"])
        seconds[key] += event["value"] if event["name"] in timed else 0
    actual = {(r.day, r.name, r.channel, r.page_id, r.code): (r.events, r.devices, r.seconds)
              for r in DailyCount.objects.all()}
    assert actual == {key: (n, len(expected_devices[key]), seconds[key])
                      for key, n in expected_events.items()}

    first_day, first_code = {}, {}
    for event in sorted(sent, key=lambda e: e["day"]):  # the order they were sent in
        day = days_ago(3 - event["day"])
        first_day.setdefault(event["device"], day)
        if event["code"] and day == first_day[event["device"]]:
            first_code.setdefault(event["device"], event["code"])
    assert {d.device: (d.first_day, d.code) for d in Device.objects.all()} == {
        device: (day, first_code.get(device, "")) for device, day in first_day.items()}
    assert set(DeviceDay.objects.values_list("device__device", "day")) == {
        (e["device"], days_ago(3 - e["day"])) for e in sent}


def test_rebuild_day_alone_reproduces_the_tables(client, backend, clock):
    clock.at(days_ago(2))
    send(client, "device0001", [{"name": "page_view", "channel": "yaowen"}] * 2)
    aggregate()
    before = tables()
    DailyCount.objects.all().delete()
    aggregation.rebuild_day(days_ago(2))
    assert tables() == before


def test_with_redis_the_beacon_waits_on_no_round_trip(client, backend, monkeypatch):
    if backend != "redis":
        pytest.skip("the Redis buffer's staging")
    from rongmei.core.redis import get_redis

    redis_client, calls = get_redis(), []
    original = redis_client.execute_command
    monkeypatch.setattr(redis_client, "execute_command",
                        lambda *args, **kwargs: calls.append(args[0]) or original(*args, **kwargs))
    send(client, "device0001", [{"name": "app_open"}, {"name": "page_view"}])
    assert calls == []
    buffer.flush_local()  # what the process's thread does every ANALYTICS_BATCH_MS
    assert get_redis().llen(buffer.PENDING_KEY) == 2


def test_a_client_over_its_limit_gets_429(client, backend, settings):
    settings.ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE = 2
    send(client, "device0001", [{"name": "app_open"}])
    send(client, "device0001", [{"name": "page_view"}])
    response = client.post("/analytics/collect", {"device": signed("device0001"),
                                                  "events": [{"name": "share"}]},
                           content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert buffer.pending_count() == 2


def test_only_device_ids_the_server_issued_count(client, backend, settings):
    """Figures cannot be inflated by inventing device ids: the beacon takes only ids this
    server signed, and one address is issued a limited number a day."""
    settings.ANALYTICS_NEW_DEVICES_PER_CLIENT_PER_DAY = 3
    issued = [client.post("/analytics/device") for _ in range(3)]
    assert [r.status_code for r in issued] == [201, 201, 201]
    ids = [r.json()["device"] for r in issued]
    assert len(set(ids)) == 3 and issued[0]["Cache-Control"] == "no-store"
    over = client.post("/analytics/device")
    assert over.status_code == 429 and over.json()["message"] == "新设备登记过于频繁，请明天再试"
    assert "Retry-After" in over
    api = client.post("/api/v1/analytics/devices")
    assert api.status_code == 429  # the native apps' door shares the allowance

    invented = ids[0].split(".")[0][:-1] + ("A" if not ids[0].split(".")[0].endswith("A")
                                            else "B")
    for forged, status in ((ids[0].split(".")[0], 422),  # no signature: not even the form
                           (f"{invented}.{ids[0].split('.')[1]}", 403),  # a copied signature
                           (ids[0][:-1] + ("x" if ids[0][-1] != "x" else "y"), 403)):
        refused = client.post("/analytics/collect", {"device": forged,
                                                     "events": [{"name": "app_open"}]},
                              content_type="application/json")
        assert refused.status_code == status and refused.json()["field"] == "device"
    assert buffer.pending_count() == 0

    ok = client.post("/analytics/collect", {"device": ids[0], "events": [{"name": "app_open"}]},
                     content_type="application/json")
    assert ok.status_code == 204
    aggregate()
    assert list(Device.objects.values_list("device", flat=True)) == [ids[0].split(".")[0]]
