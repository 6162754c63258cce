"""The media server's callbacks, as nginx-rtmp sends them (form posts), and bad input."""

import pytest

from rongmei.live.models import IngestEvent, LiveRoom, Recording, RoomState
from rongmei.live.services.rooms import stream_key

from .conftest import go_live

pytestmark = pytest.mark.django_db

HOOK = "/live/media-hooks/nginx-rtmp/"


def hook(client, event, address="127.0.0.1", **data):
    return client.post(HOOK + event, data, REMOTE_ADDR=address)


def test_a_callback_from_an_address_not_on_the_allow_list_is_refused(client, stage):
    room = stage.room
    answer = hook(client, "publish", address="203.0.113.9", name=room.stream_name,
                  key=stream_key(room))
    assert answer.status_code == 403
    assert answer.json()["code"] == "media_server_not_allowed"
    assert "媒体服务器" in answer.json()["message"]
    room.refresh_from_db()
    assert room.state == RoomState.SCHEDULED
    assert IngestEvent.objects.get().accepted is False


def test_the_key_of_another_room_is_refused_and_the_right_one_is_idempotent(client, stage):
    from datetime import timedelta

    from django.utils import timezone

    from rongmei.live.services.rooms import room_create

    room = stage.room
    other = room_create(actor=stage.people.editor, title="另一场",
                        starts_at=timezone.now() + timedelta(hours=2))
    answer = hook(client, "publish", name=room.stream_name, key=stream_key(other))
    assert answer.status_code == 403 and answer.json()["code"] == "wrong_stream_key"
    assert "推流密钥错误" in answer.json()["message"]
    for _ in range(2):  # nginx-rtmp may call twice; the second changes nothing
        assert hook(client, "publish", name=room.stream_name,
                    key=stream_key(room)).status_code == 200
    room.refresh_from_db()
    assert room.state == RoomState.LIVE and room.stream_online
    assert Recording.objects.filter(room=room).count() == 1


def test_a_rotated_key_stops_working_at_once(client, stage):
    room = stage.room
    old = stream_key(room)
    client.force_login(stage.people.editor)
    client.post(f"/admin/live/{room.pk}/", {"action": "rotate_key"})
    room.refresh_from_db()
    assert stream_key(room) != old
    assert hook(client, "publish", name=room.stream_name, key=old).status_code == 403


def test_a_stream_that_drops_shows_the_host_away_then_ends_after_the_grace(client, stage,
                                                                         settings):
    from django.core.management import call_command

    settings.LIVE_END_GRACE_SECONDS = 60
    room = stage.room
    hook(client, "publish", name=room.stream_name, key=stream_key(room))
    hook(client, "publish_done", name=room.stream_name)
    room.refresh_from_db()
    assert room.state == RoomState.LIVE and room.state_label == "主播暂时离开"
    hook(client, "publish", name=room.stream_name, key=stream_key(room))  # back again
    room.refresh_from_db()
    assert room.stream_online
    hook(client, "publish_done", name=room.stream_name)
    settings.LIVE_END_GRACE_SECONDS = 0
    call_command("live_tick", stdout=__import__("io").StringIO())
    room.refresh_from_db()
    assert room.state == RoomState.ENDED
    refused = hook(client, "publish", name=room.stream_name, key=stream_key(room))
    assert refused.status_code == 403 and refused.json()["code"] == "room_over"


def test_a_recording_outside_the_recording_folder_is_refused(client, stage, settings, tmp_path):
    settings.LIVE_RECORD_DIR = tmp_path / "recordings"
    settings.LIVE_RECORD_DIR.mkdir()
    outside = tmp_path / "elsewhere.flv"
    outside.write_bytes(b"FLV")
    room = go_live(stage.room)
    answer = hook(client, "record_done", name=room.stream_name, path=str(outside))
    assert answer.status_code == 403 and answer.json()["code"] == "recording_outside"
    answer = hook(client, "record_done", name=room.stream_name,
                  path=str(settings.LIVE_RECORD_DIR / ".." / "elsewhere.flv"))
    assert answer.status_code == 403


def test_a_unit_room_waiting_for_review_cannot_go_on_air(client, stage):
    from django.utils import timezone

    from rongmei.live.services.rooms import room_create

    room = room_create(actor=stage.people.hetang_admin, title="荷塘村晚", unit=stage.county.hetang,
                       starts_at=timezone.now())
    answer = hook(client, "publish", name=room.stream_name, key=stream_key(room))
    assert answer.status_code == 403 and answer.json()["code"] == "not_approved"
    assert LiveRoom.objects.get(pk=room.pk).state == RoomState.SCHEDULED


def test_a_relay_status_that_is_not_an_object_is_refused_not_a_500(client, stage):
    for body in ("[1]", "42", "null", '"x"'):
        answer = client.post(HOOK + "relay_status", body, content_type="application/json",
                             REMOTE_ADDR="203.0.113.9")
        assert 400 <= answer.status_code < 500, body


def test_a_second_encoder_with_the_right_key_neither_takes_over_nor_knocks_the_room_off(
        client, stage, settings):
    """nginx-rtmp asks on_publish for a second connection to a stream that is already on air,
    and posts publish_done when it refuses or drops it: that end is not the room's end."""
    settings.LIVE_END_GRACE_SECONDS = 0
    room = stage.room
    key = stream_key(room)
    assert hook(client, "publish", name=room.stream_name, key=key, clientid="7").status_code == 200
    second = hook(client, "publish", name=room.stream_name, key=key, clientid="9")
    assert second.status_code == 409 and second.json()["code"] == "already_publishing"
    assert "正在推流" in second.json()["message"]
    assert hook(client, "publish_done", name=room.stream_name, clientid="9").status_code == 200
    room.refresh_from_db()
    assert room.state == RoomState.LIVE and room.stream_online
    assert room.stream_client_id == "7"
    # The first encoder's own reconnect (same connection id) stays idempotent.
    assert hook(client, "publish", name=room.stream_name, key=key, clientid="7").status_code == 200
    # When the encoder on air stops, the room ends (grace 0) as before.
    assert hook(client, "publish_done", name=room.stream_name, clientid="7").status_code == 200
    room.refresh_from_db()
    assert room.state == RoomState.ENDED and not room.stream_online
