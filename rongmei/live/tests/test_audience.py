"""Viewers, likes, watch points, draws, and the stream hub's frames."""

import asyncio

import pytest

from rongmei.live.models import CommentStatus, LiveComment

from .conftest import go_live

pytestmark = pytest.mark.django_db


def beat(client, room, device):
    return client.post(f"/api/v1/live/rooms/{room.pk}/heartbeat", {"device": device},
                       content_type="application/json")


def test_viewers_are_distinct_devices_and_likes_add_up(client, stage):
    room = go_live(stage.room)
    for device in ("device-aaaaaaaa", "device-bbbbbbbb", "device-aaaaaaaa"):
        answer = beat(client, room, device)
    assert answer.json()["viewers"] == 2
    for count in (3, 50):
        likes = client.post(f"/api/v1/live/rooms/{room.pk}/likes",
                            {"count": count, "device": "device-aaaaaaaa"},
                            content_type="application/json")
    assert likes.json()["likes"] == 53
    bad = client.post(f"/api/v1/live/rooms/{room.pk}/likes", {"count": 51},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_count"
    assert beat(client, room, "短").json()["code"] == "invalid_device"


def test_watching_long_enough_earns_the_watch_video_points_once(client, stage, settings):
    from rongmei.points.models import EarningRule, PointsEntry

    EarningRule.objects.update_or_create(action="watch_video", defaults=dict(
        label="看视频", points=5, daily_cap=20, is_active=True))
    settings.LIVE_WATCH_POINTS_MINUTES = 1  # three heartbeats of 20 s
    room = go_live(stage.room)
    client.force_login(stage.people.resident)
    for _ in range(5):
        beat(client, room, "device-cccccccc")
    entries = PointsEntry.objects.filter(action="watch_video")
    assert entries.count() == 1 and entries.get().amount == 5


def test_a_draw_commits_first_and_anyone_can_recompute_the_winners(client, stage):
    from rongmei.core import draw as drawing
    from rongmei.live.models import LiveDraw

    room = go_live(stage.room)
    for person in (stage.people.resident, stage.people.other):
        LiveComment.objects.create(room=room, author=person, body="来了",
                                   status=CommentStatus.APPROVED)
    client.force_login(stage.people.editor)
    client.post(f"/admin/live/{room.pk}/", {"action": "draw_create", "prize": "莲子礼盒",
                                            "winners_count": "1"})
    created = LiveDraw.objects.get()
    poll = client.get(f"/live/{room.pk}/poll").json()
    announced = [m for m in poll["priority"] if m["kind"] == "draw"][0]
    assert announced["commitment"] == created.commitment and "seed" not in announced
    client.post(f"/admin/live/{room.pk}/", {"action": "draw_run", "draw": created.pk})
    client.post(f"/admin/live/{room.pk}/", {"action": "draw_run", "draw": created.pk})
    drawn = LiveDraw.objects.get()
    assert drawn.status == "drawn" and len(drawn.winners) == 1
    assert drawing.commitment(drawn.seed) == drawn.commitment
    entrants = [stage.people.resident.pk, stage.people.other.pk]
    assert int(drawing.draw_order(seed=drawn.seed, entries=entrants,
                                  public_value=f"live:{room.pk}:{drawn.pk}")[0]) == \
        drawn.winners[0]["user"]
    results = [m for m in client.get(f"/live/{room.pk}/poll").json()["priority"]
               if m.get("status") == "drawn"]
    assert len(results) == 1  # announced once, however often 开奖 was pressed


def test_a_booked_resident_is_reminded_when_the_room_starts(client, stage):
    from rongmei.live.models import LiveReminder

    room = stage.room
    client.force_login(stage.people.resident)
    assert client.put(f"/api/v1/live/rooms/{room.pk}/reminder").json()["booked"] is True
    client.force_login(stage.people.editor)
    client.post(f"/admin/live/{room.pk}/", {"action": "start"})
    reminder = LiveReminder.objects.get()
    assert reminder.notified_at is not None
    client.force_login(stage.people.resident)
    assert "预约的直播已开始" in client.get("/me/").content.decode()
    inbox = client.get("/api/v1/notices").json()
    assert [(n["title"], n["link"]) for n in inbox] == [("您预约的直播开始了", f"/live/{room.pk}/")]


def test_frames_keep_every_priority_message_and_cap_the_rest(settings):
    from rongmei.live import fanout
    from rongmei.live.stream import Hub

    async def scenario():
        hub = Hub(frame_ms=300, cap=5)
        viewer = hub.join(7, "device-dddddddd")
        for n in range(30):
            hub.receive(fanout.encode({"id": f"c{n}", "room": 7, "kind": "comment",
                                       "prio": False, "t": 0}))
        for n in range(3):
            hub.receive(fanout.encode({"id": f"n{n}", "room": 7, "kind": "notice",
                                       "prio": True, "t": 0}))
        hub.receive(fanout.encode({"id": "x", "room": 8, "kind": "comment", "prio": False,
                                   "t": 0}))  # another room: nobody here watches it
        hub.flush()
        return viewer.queue.get_nowait()

    import json

    frame = json.loads(asyncio.run(scenario())[len(b"data: "):])
    assert [m["id"] for m in frame["p"]] == ["n0", "n1", "n2"]
    assert len(frame["m"]) == 5 and frame["d"] == 25
    assert [m["id"] for m in frame["m"]] == ["c0", "c6", "c12", "c18", "c24"]


def test_one_address_inventing_device_ids_cannot_inflate_viewers_or_likes(client, stage,
                                                                           monkeypatch):
    from rongmei.live.services import audience

    monkeypatch.setattr(audience, "HEARTBEATS_PER_ADDRESS", 5)
    monkeypatch.setattr(audience, "LIKE_BATCHES_PER_ADDRESS", 3)
    room = go_live(stage.room)
    answers = [beat(client, room, f"forged-device-{n:04d}") for n in range(8)]
    assert [a.status_code for a in answers].count(200) == 5
    assert answers[-1].status_code == 429 and "频繁" in answers[-1].json()["message"]
    assert answers[4].json()["viewers"] == 5
    likes = [client.post(f"/api/v1/live/rooms/{room.pk}/likes",
                         {"count": 50, "device": f"forged-device-{n:04d}"},
                         content_type="application/json") for n in range(5)]
    assert [a.status_code for a in likes] == [200, 200, 200, 429, 429]
    room.refresh_from_db()
    from rongmei.live import counters

    assert counters.light_figures([room.pk])[room.pk][1] == 150
    # Another address is not held back by this one.
    other = client.post(f"/api/v1/live/rooms/{room.pk}/heartbeat",
                        {"device": "honest-device-0001"}, content_type="application/json",
                        REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
