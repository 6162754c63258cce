"""Read counts: once per reader per page per county day, no database work on the hot path,
and a flush that neither loses nor doubles a count."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from rongmei.core.redis import get_redis
from rongmei.engage import counters, services
from rongmei.engage.models import PageStats, ReadFlush
from rongmei.points.models import PointsEntry

from .conftest import make_story, needs_postgres, needs_redis, without_redis

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEACON = "/api/v1/engage/pages/{}/read"


def reads(page) -> int:
    counters.reads_flush()
    return PageStats.objects.filter(pk=page.pk).values_list("reads", flat=True).first() or 0


def beacon(client, page, device="device-0001", **kwargs):
    return client.post(BEACON.format(page.pk), {"device": device},
                       content_type="application/json", **kwargs)


def test_a_device_counts_once_per_page_per_day(client, story):
    assert beacon(client, story).json() == {"counted": True}
    assert beacon(client, story).json() == {"counted": False}
    assert beacon(client, story, device="device-0002").json() == {"counted": True}
    other = make_story("白水镇修路")
    assert beacon(client, other).json() == {"counted": True}
    assert reads(story) == 2 and reads(other) == 1


def test_the_day_turns_at_midnight_in_shanghai_not_utc(story):
    before = datetime(2026, 3, 1, 23, 59, 30, tzinfo=SHANGHAI)
    after = datetime(2026, 3, 2, 0, 0, 30, tzinfo=SHANGHAI)
    later_same_day = datetime(2026, 3, 2, 7, 59, 0, tzinfo=SHANGHAI)  # 23:59 UTC on 1 March
    assert services.read_beacon(page_id=story.pk, device="phone-abc1", now=before)
    assert not services.read_beacon(page_id=story.pk, device="phone-abc1", now=before)
    assert services.read_beacon(page_id=story.pk, device="phone-abc1", now=after)
    assert not services.read_beacon(page_id=story.pk, device="phone-abc1", now=later_same_day)
    assert reads(story) == 2


def test_the_dedupe_key_lives_until_past_the_county_midnight():
    day, ttl = counters._day_window(datetime(2026, 3, 1, 23, 0, tzinfo=SHANGHAI))
    assert day == "20260301" and ttl == 3600 + 3600
    day, _ = counters._day_window(datetime(2026, 3, 1, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert day == "20260302"  # 01:00 in Shanghai


def test_without_a_device_id_the_reader_is_told_apart_by_address_and_browser(client, story):
    client.post(BEACON.format(story.pk), content_type="application/json",
                HTTP_USER_AGENT="phone A")
    client.post(BEACON.format(story.pk), content_type="application/json",
                HTTP_USER_AGENT="phone A")
    client.post(BEACON.format(story.pk), content_type="application/json",
                HTTP_USER_AGENT="phone B")
    assert reads(story) == 2


def test_a_signed_in_reader_counts_once_and_earns_points_once_a_day(client, story, people):
    client.force_login(people.resident)
    for device in ("device-aaaa1", "device-bbbb2"):  # same account on two phones
        beacon(client, story, device=device)
    assert reads(story) == 1
    entries = PointsEntry.objects.filter(account__user=people.resident, action="read_article")
    assert [e.source for e in entries] == [f"page:{story.pk}"]


@needs_redis
def test_an_anonymous_beacon_touches_no_database(client, story, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert beacon(client, story).json() == {"counted": True}
    with django_assert_num_queries(0):
        assert beacon(client, story).json() == {"counted": False}
    assert counters.pending_reads(story.pk) == 1
    assert reads(story) == 1 and counters.pending_reads(story.pk) == 0


@needs_redis
def test_a_signed_in_repeat_view_writes_nothing(client, story, people,
                                                django_assert_max_num_queries):
    client.force_login(people.resident)
    beacon(client, story)
    with django_assert_max_num_queries(2) as captured:  # session and user lookups only
        assert beacon(client, story).json() == {"counted": False}
    assert not [q for q in captured.captured_queries
                if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@without_redis
def test_without_redis_a_repeat_view_touches_no_database(client, story,
                                                         django_assert_num_queries):
    assert beacon(client, story).json() == {"counted": True}  # one UPDATE, documented
    with django_assert_num_queries(0):
        assert beacon(client, story).json() == {"counted": False}
    assert reads(story) == 1


def test_a_forged_page_id_is_dropped_at_flush(client, story):
    assert beacon(client, story).status_code == 200
    client.post(BEACON.format(987654321), {"device": "device-0001"},
                content_type="application/json")
    assert reads(story) == 1
    assert not PageStats.objects.filter(pk=987654321).exists()
    assert client.post(BEACON.format(2**31), content_type="application/json").status_code == 404
    # Ids start at 1, as the API document says: 0 is refused before any lookup.
    assert client.post(BEACON.format(0), content_type="application/json").status_code == 422


@needs_redis
def test_a_batch_left_by_a_dead_flush_is_applied_once(story):
    client = get_redis()
    client.hset(counters.FLUSHING_PREFIX + "deadbeef", str(story.pk), 5)
    assert counters.reads_flush().reads == 5
    # The same batch again (a flush that died after committing, before deleting the key).
    client.hset(counters.FLUSHING_PREFIX + "deadbeef", str(story.pk), 5)
    assert counters.reads_flush().reads == 0
    assert reads(story) == 5
    assert not list(client.scan_iter(match=counters.FLUSHING_PREFIX + "*"))
    assert ReadFlush.objects.filter(batch="deadbeef").count() == 1


@needs_redis
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_beacons_and_flushes_neither_lose_nor_double_a_read():
    """8 threads send 2,400 beacons (each device twice) while 3 flushers run in a loop."""
    pages = [make_story(f"稿件{n}") for n in range(3)]
    devices = [f"device-{n:05d}" for n in range(400)]
    done = threading.Event()
    errors: list[BaseException] = []

    def send(chunk):
        try:
            for device in chunk:
                for page in pages:
                    services.read_beacon(page_id=page.pk, device=device)
                    services.read_beacon(page_id=page.pk, device=device)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def flush_loop():
        try:
            while not done.is_set():
                counters.reads_flush()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    flushers = [threading.Thread(target=flush_loop) for _ in range(3)]
    senders = [threading.Thread(target=send, args=(devices[n::8],)) for n in range(8)]
    for thread in flushers + senders:
        thread.start()
    for thread in senders:
        thread.join()
    done.set()
    for thread in flushers:
        thread.join()
    assert not errors, errors
    counters.reads_flush()
    assert {p.pk: reads(p) for p in pages} == {p.pk: 400 for p in pages}
    assert ReadFlush.objects.count() >= 1


def test_a_watched_video_pays_once_a_day_and_only_for_videos(client, people, settings):
    from rongmei.home.models import HomePage

    # Plain pages stand in for the newsroom's VideoPage (which needs a transcoded asset).
    settings.ENGAGE_WATCH_PAGE_TYPES = ("wagtailcore.page",)
    video = make_story("莲子丰收节现场")
    not_a_video = HomePage.objects.live().first()
    url = "/api/v1/engage/pages/{}/watched"
    assert client.post(url.format(video.pk)).status_code == 401
    client.force_login(people.resident)
    assert client.post(url.format(video.pk)).json() == {"counted": True}
    assert client.post(url.format(video.pk)).json() == {"counted": False}
    refused = client.post(url.format(not_a_video.pk))
    assert refused.status_code == 400 and refused.json()["message"] == "该稿件不是视频"
    entries = PointsEntry.objects.filter(account__user=people.resident, action="watch_video")
    assert [e.source for e in entries] == [f"page:{video.pk}"]


@needs_redis
def test_a_beacon_while_redis_is_down_is_answered_not_counted(client, story, settings):
    from rongmei.core.redis import _client

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        response = beacon(client, story)
    finally:
        _client.cache_clear()
    assert response.status_code == 200 and response.json() == {"counted": False}
