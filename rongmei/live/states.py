"""The one place ``LiveRoom.state`` changes (预告 → 直播中 → 已结束 → 回放), and the room's
audit log. Callers hold the room's row lock; what viewers must learn goes out on commit.
Starting a room also reminds whoever booked it: the services do that (``services.rooms.
go_live``), so this module stays below everything that enqueues work."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError

from . import counters, fanout
from .models import LiveRoom, ModerationLog, RoomState

# Moves the state may make, and who makes them: the media server's callbacks (start on
# publish, end after the grace period), staff (start and end by hand), the replay.
ALLOWED = {
    RoomState.SCHEDULED: {RoomState.LIVE, RoomState.ENDED},
    RoomState.LIVE: {RoomState.ENDED},
    RoomState.ENDED: {RoomState.REPLAY},
    RoomState.REPLAY: set(),
}


def log(room, actor, action: str, detail: str = "") -> None:
    ModerationLog.objects.create(room=room, actor=actor if getattr(actor, "pk", None) else None,
                                 action=action, detail=detail[:300])


def transition(room: LiveRoom, to_state: str, *, actor=None, now: datetime | None = None,
               reason: str = "") -> bool:
    """Move ``room`` (row locked by the caller) to ``to_state``. Returns False, changing
    nothing, when it is already there (callbacks are retried; each is idempotent); raises
    when the move is not allowed."""
    if room.state == to_state:
        return False
    if to_state not in ALLOWED[room.state]:
        raise ServiceError("invalid_state", f"直播间{room.get_state_display()}，不能变为"
                           f"{RoomState(to_state).label}", status=409)
    now = now or timezone.now()
    room.state = to_state
    fields = ["state", "updated_at"]
    if to_state == RoomState.LIVE:
        room.started_at = room.started_at or now
        fields.append("started_at")
    if to_state == RoomState.ENDED:
        room.ended_at = now
        room.stream_online = False
        fields += ["ended_at", "stream_online"]
    room.save(update_fields=fields)
    log(room, actor, f"state_{to_state}", reason)
    transaction.on_commit(lambda: room_is_open(room.pk))
    room_id, label = room.pk, room.state_label
    transaction.on_commit(lambda: fanout.publish(room_id, fanout.STATE, {
        "state": to_state, "label": label}, msg_id=f"s:{to_state}"))
    if to_state == RoomState.ENDED:
        transaction.on_commit(lambda: room_write_back(room_id))
    return True


def room_write_back(room_id: int) -> None:
    """Copy the live counters (peak, cumulative, likes) into the room row; they only grow."""
    figures = counters.figures(room_id)
    room = LiveRoom.objects.filter(pk=room_id).only("peak_viewers", "total_viewers",
                                                    "likes").first()
    if room is None:
        return
    LiveRoom.objects.filter(pk=room_id).update(
        peak_viewers=max(room.peak_viewers, figures["peak"], figures["viewers"]),
        total_viewers=max(room.total_viewers, figures["total"]),
        likes=max(room.likes, figures["likes"]))


def write_back_live_rooms() -> int:
    rooms = list(LiveRoom.objects.filter(state=RoomState.LIVE).values_list("pk", flat=True))
    for room_id in rooms:
        room_write_back(room_id)
    return len(rooms)


def announce_settings(room: LiveRoom) -> None:
    room_id, closed, mode = room.pk, room.comments_closed, room.comment_mode
    transaction.on_commit(lambda: fanout.publish(room_id, fanout.STATE, {
        "comments_closed": closed, "comment_mode": mode}))


OPEN_SECONDS = 30


def open_key(room_id: int) -> str:
    return f"live:open:{room_id}"


def room_is_open(room_id: int) -> bool:
    """May viewers join the room's stream (approved, 预告 or 直播中)? Read from the database
    and remembered in the cache for the stream processes."""
    from django.core.cache import cache

    from .models import ReviewStatus

    is_open = LiveRoom.objects.filter(
        pk=room_id, review_status=ReviewStatus.APPROVED,
        state__in=[RoomState.SCHEDULED, RoomState.LIVE]).exists()
    cache.set(open_key(room_id), is_open, OPEN_SECONDS)
    return is_open
