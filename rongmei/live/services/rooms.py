"""Rooms: scheduling, review of 分端 rooms, stream keys, and the one state transition.

``transition()`` is the only place ``LiveRoom.state`` changes (预告 → 直播中 → 已结束 → 回放);
it stamps the times, tells viewers over the comment channel on commit, and when a room
starts, reminds everyone who booked it (预约).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core import crypto
from rongmei.core.errors import ServiceError, validation_error_from_django
from rongmei.core.roles import UNIT_ADMIN
from rongmei.core.text import plain_text
from rongmei.units.access import access_unit, check_role
from rongmei.units.models import Unit

from ..access import NO_RIGHTS, ROOM_ROLES, access_room, check_reviewer, is_center
from ..models import (
    CommentMode,
    LiveRoom,
    ReviewStatus,
    RoomKind,
    RoomState,
)
from ..states import announce_settings, log, transition

logger = logging.getLogger(__name__)

TITLE_MAX = 60
INTRO_MAX = 500


# --- stream keys -------------------------------------------------------------------------------

def key_digest(key: str) -> str:
    return hmac.new(f"live-stream-key:{settings.SECRET_KEY}".encode(), (key or "").encode(),
                    hashlib.sha256).hexdigest()


def key_matches(room: LiveRoom | None, key: str) -> bool:
    """Constant-time: as long for an unknown room or an empty key as for a wrong one."""
    expected = room.stream_key_hash if room is not None and room.stream_key_hash else "0" * 64
    matched = hmac.compare_digest(key_digest(key), expected)
    return matched and room is not None and bool(room.stream_key_hash)


def _new_key(room: LiveRoom) -> str:
    key = secrets.token_urlsafe(18)
    room.stream_key_hash = key_digest(key)
    room.stream_key_encrypted = crypto.encrypt(key)
    room.key_rotated_at = timezone.now()
    return key


def stream_key(room: LiveRoom) -> str:
    """The room's key, for the staff who run it (the console shows it on demand)."""
    return crypto.decrypt(room.stream_key_encrypted) if room.stream_key_encrypted else ""


def publish_target(room: LiveRoom) -> tuple[str, str]:
    """(server, stream key) as OBS asks for them."""
    return settings.LIVE_RTMP_URL, f"{room.stream_name}?key={stream_key(room)}"


def key_rotate(*, actor, room_id) -> str:
    """A new stream key; the old one stops working at once (a stream already running keeps
    going until it stops). Returns the new key."""
    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        if not room.is_video:
            raise ServiceError("not_video", "图文直播没有推流密钥")
        key = _new_key(room)
        room.save(update_fields=["stream_key_hash", "stream_key_encrypted", "key_rotated_at",
                                 "updated_at"])
        log(room, actor, "key_rotate", "更换推流密钥")
    return key


# --- scheduling ---------------------------------------------------------------------------------

def _clean(*, title: str, intro: str, starts_at, kind: str, comment_mode: str) -> dict:
    title = " ".join(plain_text(title or "").split())
    if not title:
        raise ServiceError("title_required", "请填写直播标题", field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError("title_too_long", f"标题最多{TITLE_MAX}个字", field="title")
    intro = plain_text(intro or "")
    if len(intro) > INTRO_MAX:
        raise ServiceError("intro_too_long", f"简介最多{INTRO_MAX}个字", field="intro")
    if not isinstance(starts_at, datetime):
        raise ServiceError("starts_at_required", "请填写计划开播时间", field="starts_at")
    if kind not in RoomKind.values:
        raise ServiceError("invalid_kind", "请选择视频直播或图文直播", field="kind")
    if comment_mode not in CommentMode.values:
        raise ServiceError("invalid_comment_mode", "请选择先审后发或先发后审",
                           field="comment_mode")
    _gate({"标题": title, "简介": intro})
    return {"title": title, "intro": intro}


def _gate(fields: dict[str, str]) -> None:
    from rongmei.wordgate.services import scan

    for label, text in fields.items():
        if text and scan(text).blocked:
            raise ServiceError("sensitive_words", f"{label}含有不允许发布的内容，请修改",
                               field=None)


def _unit_for(actor, unit) -> Unit | None:
    if unit in ("", None):
        if not is_center(actor):
            raise ServiceError("unit_required", "请选择所属单位", field="unit")
        return None
    if is_center(actor):
        found = unit if isinstance(unit, Unit) else Unit.objects.filter(pk=unit).first()
        if found is None:
            raise ServiceError("unit_not_found", "所选单位不存在", field="unit")
        return found
    return access_unit(actor, unit, UNIT_ADMIN)


def room_create(*, actor, title: str, starts_at, intro: str = "", kind: str = RoomKind.VIDEO,
                unit=None, cover=None, comment_mode: str = CommentMode.PRE,
                require_realname: bool = False, replay_publish: bool = True) -> LiveRoom:
    """Schedule a room (预告). A unit admin's room waits for review; the center's is public."""
    check_role(actor, *ROOM_ROLES, message=NO_RIGHTS)
    cleaned = _clean(title=title, intro=intro, starts_at=starts_at, kind=kind,
                     comment_mode=comment_mode)
    unit = _unit_for(actor, unit)
    room = LiveRoom(**cleaned, kind=kind, unit=unit, cover=cover, starts_at=starts_at,
                    comment_mode=comment_mode, require_realname=bool(require_realname),
                    replay_publish=bool(replay_publish), created_by=actor,
                    stream_name=f"r{secrets.token_hex(6)}",
                    review_status=(ReviewStatus.APPROVED if is_center(actor)
                                   else ReviewStatus.PENDING))
    if room.is_video:
        _new_key(room)
    try:
        room.full_clean()
    except Exception as exc:  # ValidationError
        raise validation_error_from_django(exc) from None
    with transaction.atomic():
        room.save()
        log(room, actor, "create", room.title)
    return room


def room_update(*, actor, room_id, title: str, starts_at, intro: str = "", cover=None,
                comment_mode: str = CommentMode.PRE, require_realname: bool = False,
                replay_publish: bool = True) -> LiveRoom:
    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        cleaned = _clean(title=title, intro=intro, starts_at=starts_at, kind=room.kind,
                         comment_mode=comment_mode)
        mode_changed = room.comment_mode != comment_mode
        public_changed = (room.title, room.intro, room.cover_id) != (
            cleaned["title"], cleaned["intro"], getattr(cover, "pk", None))
        if not is_center(actor) and public_changed and room.is_public:
            # What residents see of a 分端 room was approved as it was: a changed title,
            # intro or cover is approved again, and cannot change under a running show.
            if room.state not in (RoomState.SCHEDULED,):
                raise ServiceError("reviewed_room_running",
                                   "直播已开始，标题、简介和封面不能再由分端修改；如需更正请联系中心编辑",
                                   status=409)
            room.review_status = ReviewStatus.PENDING
        room.title, room.intro = cleaned["title"], cleaned["intro"]
        room.starts_at, room.cover = starts_at, cover
        room.comment_mode, room.require_realname = comment_mode, bool(require_realname)
        room.replay_publish = bool(replay_publish)
        if not is_center(actor) and room.review_status == ReviewStatus.REJECTED:
            room.review_status = ReviewStatus.PENDING  # edited after 退回: asks again
        room.full_clean()
        room.save()
        log(room, actor, "update", room.title)
        if mode_changed:
            announce_settings(room)
    return room


def room_review(*, actor, room_id, approve: bool, note: str = "") -> LiveRoom:
    """A chief editor or director approves a 分端 room (it goes public) or sends it back."""
    check_reviewer(actor)
    note = plain_text(note or "", max_length=200)
    if not approve and not note:
        raise ServiceError("note_required", "退回时请填写原因", field="note")
    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        room.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
        room.review_note = note
        room.save(update_fields=["review_status", "review_note", "updated_at"])
        log(room, actor, "approve" if approve else "reject", note)
    return room


def go_live(room: LiveRoom, *, actor=None, now=None, reason: str = "") -> bool:
    """直播中 (row locked by the caller), reminding whoever booked the room."""
    from .audience import remind_started

    moved = transition(room, RoomState.LIVE, actor=actor, now=now, reason=reason)
    if moved:
        remind_started(room)
    return moved


def room_start(*, actor, room_id) -> LiveRoom:
    """Start by hand: a 图文直播, or a video room whose signal comes some other way."""
    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        if not room.is_public:
            raise ServiceError("not_approved", "直播间尚未通过审核，不能开始", status=409)
        go_live(room, actor=actor, reason="手动开始")
    return room


def room_end(*, actor, room_id) -> LiveRoom:
    """End by hand. A replay is made from what was recorded."""
    from .replay import replay_request

    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        transition(room, RoomState.ENDED, actor=actor, reason="手动结束")
        replay_request(room)
    return room


def end_overdue(*, now: datetime | None = None) -> int:
    """Rooms whose stream dropped longer ago than ``LIVE_END_GRACE_SECONDS`` end now
    (``rongmei live_tick``). Each in its own transaction, under its row lock."""
    from .replay import replay_request

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LIVE_END_GRACE_SECONDS)
    ended = 0
    for room_id in LiveRoom.objects.filter(
            state=RoomState.LIVE, kind=RoomKind.VIDEO, stream_online=False,
            stream_offline_at__lte=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            room = LiveRoom.objects.select_for_update().get(pk=room_id)
            if room.state == RoomState.LIVE and not room.stream_online:
                transition(room, RoomState.ENDED, now=now, reason="断流超时，自动结束")
                replay_request(room)
                ended += 1
    return ended
