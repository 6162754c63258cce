"""回放, the requests: the room's recordings become a 视频 story, automatically after the stream ends.

The recordings (one per stretch of streaming) are joined without re-encoding (ffmpeg's
concat demuxer, ``-c copy``), handed to the media library through its own door
(``media.services.media_upload``, acting for whoever created the room, so a unit's replay is
filed under that unit), transcoded there like any upload, and placed in a ``news.VideoPage``
in the room's newsroom section — published at once, or kept as a draft for review when the
room says so. The room then shows the replay (回放).

``replay_request`` is called whenever the answer to "is everything recorded?" may have
changed (the room ended, a recording finished); it claims the work with one conditional
``UPDATE``, so the replay is made once however the callbacks interleave.
"""

from __future__ import annotations

import logging

from django.db import transaction

from rongmei.core.errors import ServiceError

from ..access import access_room
from ..models import LiveRoom, RecordingStatus, ReplayStatus, RoomState
from ..states import log

logger = logging.getLogger(__name__)


def replay_request(room: LiveRoom) -> bool:
    """Queue the replay if the room is over and every recording is complete (on commit)."""
    if room.state != RoomState.ENDED or room.replay_status in (ReplayStatus.MAKING,
                                                                ReplayStatus.DONE):
        return False
    recordings = room.recordings.all()
    if recordings.filter(status=RecordingStatus.RECORDING).exists():
        if room.replay_status != ReplayStatus.WAITING:
            LiveRoom.objects.filter(pk=room.pk).update(replay_status=ReplayStatus.WAITING)
        return False
    if not recordings.filter(status=RecordingStatus.DONE).exists():
        return False
    claimed = LiveRoom.objects.filter(pk=room.pk).exclude(
        replay_status__in=[ReplayStatus.MAKING, ReplayStatus.DONE]).update(
        replay_status=ReplayStatus.MAKING, replay_error="")
    if claimed:
        room.replay_status = ReplayStatus.MAKING
        room_id = room.pk
        transaction.on_commit(lambda: _enqueue(room_id))
    return bool(claimed)


def _enqueue(room_id: int) -> None:
    from ..tasks import make_replay

    make_replay.enqueue(room_id)


def replay_retry(*, actor, room_id) -> LiveRoom:
    """Staff make the replay again after a failure (acting as themselves)."""
    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        if room.replay_status != ReplayStatus.FAILED:
            raise ServiceError("not_retryable", "只有生成失败的回放可以重新生成", status=409)
        room.replay_status = ReplayStatus.NONE
        room.save(update_fields=["replay_status", "updated_at"])
        log(room, actor, "replay_retry")
        replay_request(room)
    room.refresh_from_db()
    return room
