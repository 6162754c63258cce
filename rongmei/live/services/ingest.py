"""What the media server tells us, and what we answer: may this stream go on air?

The adapters (``rongmei.live.adapters``) turn a media server's callback into a call here
and our answer (or ``ServiceError``) into the status code that server understands. Every
callback, accepted or refused, leaves an ``IngestEvent`` — refusals in their own
transaction, so the record survives the refusal.

* ``ingest_publish`` — the address must be on ``LIVE_MEDIA_SERVER_IPS``; the key is compared
  in constant time with the room's (a key of another room is simply a wrong key); the room
  must be approved and not over. The first publish turns 预告 into 直播中; a publish after a
  drop brings the room back (主播暂时离开 ends). Repeating it changes nothing. One
  connection streams at a time: while the room is on air, a publish from another connection
  (``client_id``) is refused, so a leaked key cannot take over or knock out the picture.
* ``ingest_publish_done`` — the stream dropped. With ``LIVE_END_GRACE_SECONDS`` = 0 the room
  ends now; otherwise ``rongmei live_tick`` ends it once the grace has passed. The end of a
  connection that is not the one on air (a refused second publisher) changes nothing.
* ``ingest_record_done`` — a recording is complete; when the room has ended and nothing is
  still being recorded, the replay is made.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError

from ..models import (
    IngestEvent,
    LiveRoom,
    PushTarget,
    Recording,
    RecordingStatus,
    RoomKind,
    RoomState,
    TargetStatus,
)
from ..states import transition
from .rooms import go_live, key_matches

logger = logging.getLogger(__name__)


def _record(event: str, *, stream_name: str, address, room=None, accepted: bool,
            code: str = "", message: str = "") -> None:
    IngestEvent.objects.create(room=room, event=event, stream_name=(stream_name or "")[:64],
                               accepted=accepted, code=code, message=message[:200],
                               address=_valid_ip(address))


def _valid_ip(address) -> str | None:
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def check_media_server(address) -> None:
    """Callbacks come only from the media server's own addresses."""
    ip = _valid_ip(address)
    allowed = set()
    for item in settings.LIVE_MEDIA_SERVER_IPS:
        try:
            allowed.add(ipaddress.ip_network(item, strict=False))
        except ValueError:
            logger.warning("LIVE_MEDIA_SERVER_IPS: %r is not an address", item)
    if ip is None or not any(ipaddress.ip_address(ip) in net for net in allowed):
        raise PermissionDeniedError("该地址不是本平台的媒体服务器，回调被拒绝",
                                    code="media_server_not_allowed")


def _refuse(event: str, error: ServiceError, *, stream_name: str, address, room=None):
    with transaction.atomic():
        _record(event, stream_name=stream_name, address=address, room=room, accepted=False,
                code=error.code, message=error.message)
    logger.info("live %s refused for %r from %s: %s", event, stream_name, address, error.code)
    raise error


def _room(stream_name: str, *, lock: bool) -> LiveRoom | None:
    queryset = LiveRoom.objects.select_for_update() if lock else LiveRoom.objects
    return queryset.filter(stream_name=(stream_name or "")[:32]).first()


def _other_connection(room: LiveRoom, client_id: str) -> bool:
    return bool(room.stream_online and room.stream_client_id and client_id
                and client_id != room.stream_client_id)


def ingest_publish(*, stream_name: str, key: str, address, client_id: str = "") -> LiveRoom:
    try:
        check_media_server(address)
    except ServiceError as error:
        _refuse("publish", error, stream_name=stream_name, address=address)
    with transaction.atomic():
        room = _room(stream_name, lock=True)
        problem = None
        if not key_matches(room, key):
            problem = ServiceError("wrong_stream_key", "推流密钥错误：请在直播间管理页复制本直播间的推流地址和密钥",
                                   status=403)
        elif room.kind != RoomKind.VIDEO:
            problem = ServiceError("not_video", "图文直播不接受视频推流", status=403)
        elif not room.is_public:
            problem = ServiceError("not_approved", "直播间尚未通过审核，暂不能推流", status=403)
        elif room.state in (RoomState.ENDED, RoomState.REPLAY):
            problem = ServiceError("room_over", "本场直播已结束，不能再推流；如需继续请新建直播间",
                                   status=403)
        elif _other_connection(room, client_id):
            problem = ServiceError("already_publishing",
                                   "本直播间正在推流，同一时间只接受一路推流；如需换机位请先停止当前推流",
                                   status=409)
        if problem is None:
            now = timezone.now()
            go_live(room, now=now, reason="开始推流")
            resumed = not room.stream_online
            room.stream_online, room.stream_offline_at = True, None
            room.stream_client_id = client_id
            room.save(update_fields=["stream_online", "stream_offline_at", "stream_client_id",
                                     "updated_at"])
            if not room.recordings.filter(status=RecordingStatus.RECORDING).exists():
                Recording.objects.create(room=room, started_at=now)
            _record("publish", stream_name=stream_name, address=address, room=room,
                    accepted=True, code="ok")
            if resumed:
                _announce_online(room)
            return room
    _refuse("publish", problem, stream_name=stream_name, address=address,
            room=room if room is not None and problem.code != "wrong_stream_key" else None)


def _announce_online(room: LiveRoom) -> None:
    from .. import fanout

    room_id, online, label = room.pk, room.stream_online, room.state_label
    transaction.on_commit(lambda: fanout.publish(room_id, fanout.STATE, {
        "state": RoomState.LIVE, "online": online, "label": label}))


def ingest_publish_done(*, stream_name: str, address, client_id: str = "") -> LiveRoom | None:
    from .replay import replay_request

    try:
        check_media_server(address)
    except ServiceError as error:
        _refuse("publish_done", error, stream_name=stream_name, address=address)
    with transaction.atomic():
        room = _room(stream_name, lock=True)
        if (room is None or room.state != RoomState.LIVE or not room.stream_online
                or _other_connection(room, client_id)):
            _record("publish_done", stream_name=stream_name, address=address, room=room,
                    accepted=True, code="ignored")
            return room  # a repeat, or a refused publish ending: nothing to do
        now = timezone.now()
        room.stream_online, room.stream_offline_at = False, now
        room.stream_client_id = ""
        room.save(update_fields=["stream_online", "stream_offline_at", "stream_client_id",
                                 "updated_at"])
        _record("publish_done", stream_name=stream_name, address=address, room=room,
                accepted=True, code="ok")
        if settings.LIVE_END_GRACE_SECONDS <= 0:
            transition(room, RoomState.ENDED, now=now, reason="推流结束")
            replay_request(room)
        else:
            _announce_online(room)
        PushTarget.objects.filter(room=room, status__in=[
            TargetStatus.CONNECTING, TargetStatus.LIVE]).update(
            status=TargetStatus.STOPPED, status_at=now)
    return room


def _inside_record_dir(path: str) -> Path:
    root = Path(settings.LIVE_RECORD_DIR).resolve()
    try:
        resolved = Path(path or "").resolve()
    except (OSError, RuntimeError):
        resolved = None
    if resolved is None or not resolved.is_relative_to(root) or not resolved.is_file():
        raise ServiceError("recording_outside", "录像文件不在约定的录像目录中，已拒绝",
                           status=403)
    return resolved


def ingest_record_done(*, stream_name: str, path: str, address) -> Recording | None:
    from .replay import replay_request

    try:
        check_media_server(address)
        with transaction.atomic():
            room = _room(stream_name, lock=True)
            if room is None:
                raise NotFoundError("直播间不存在")
            resolved = _inside_record_dir(path)
    except ServiceError as error:
        _refuse("record_done", error, stream_name=stream_name, address=address)
    with transaction.atomic():
        room = _room(stream_name, lock=True)
        done = room.recordings.filter(path=str(resolved)).first()
        if done is None:  # not a repeat of this callback
            done = room.recordings.filter(status=RecordingStatus.RECORDING).first() or \
                Recording(room=room)
            done.path, done.status = str(resolved), RecordingStatus.DONE
            done.finished_at = timezone.now()
            done.save()
        _record("record_done", stream_name=stream_name, address=address, room=room,
                accepted=True, code="ok")
        replay_request(room)
    return done


# --- simulcast relay (多平台同步直播) ---------------------------------------------------------

def relay_targets(*, stream_name: str, address) -> list[tuple[int, str]]:
    """The enabled push targets of a room that is on air: [(id, push URL)]."""
    from rongmei.core import crypto

    check_media_server(address)
    room = _room(stream_name, lock=False)
    if room is None or room.state != RoomState.LIVE:
        return []
    return [(target.pk, crypto.decrypt(target.url_encrypted))
            for target in room.push_targets.filter(enabled=True)]


def relay_status(*, target_id: int, status: str, error: str = "", address) -> None:
    check_media_server(address)
    if status not in TargetStatus.values:
        raise ServiceError("invalid_status", "未知的推流状态", field="status")
    updated = PushTarget.objects.filter(pk=target_id).update(
        status=status, last_error=(error or "")[:300], status_at=timezone.now())
    if not updated:
        raise NotFoundError("推流目标不存在")
