"""Reads of 直播, shaped once (``select_related``; no query per row in a template)."""

from __future__ import annotations

import time

from django.db.models import Case, IntegerField, Value, When

from rongmei.core.errors import NotFoundError

from . import counters, fanout
from .models import (
    CommentStatus,
    LiveComment,
    LiveDraw,
    LiveNotice,
    LivePost,
    LiveProduct,
    LiveReminder,
    LiveRoom,
    ReviewStatus,
    RoomState,
)

COMMENT_PAGE = 30


def public_room(room_id) -> LiveRoom:
    """An approved room, or 404 (rooms waiting for review do not exist for residents)."""
    try:
        room = LiveRoom.objects.select_related("cover", "replay_asset").get(pk=int(room_id))
    except (LiveRoom.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFoundError("直播间不存在") from None
    if not room.is_public:
        raise NotFoundError("直播间不存在")
    return room


def public_rooms():
    return LiveRoom.objects.filter(review_status=ReviewStatus.APPROVED).select_related("cover")


def room_listing(*, limit: int = 20) -> dict[str, list[LiveRoom]]:
    """直播中, 预告 (soonest first) and 回放/已结束 (newest first)."""
    rooms = public_rooms()
    return {
        "live": list(rooms.filter(state=RoomState.LIVE).order_by("-started_at")[:limit]),
        "upcoming": list(rooms.filter(state=RoomState.SCHEDULED).order_by("starts_at")[:limit]),
        "past": list(rooms.filter(state__in=[RoomState.REPLAY, RoomState.ENDED])
                     .order_by("-ended_at")[:limit]),
    }


def rooms_for_block(count: int) -> list[LiveRoom]:
    """What the home page's 看直播 block shows: live first, then the next to start."""
    order = Case(When(state=RoomState.LIVE, then=Value(0)), default=Value(1),
                 output_field=IntegerField())
    return list(public_rooms().filter(state__in=[RoomState.LIVE, RoomState.SCHEDULED])
                .annotate(live_first=order).order_by("live_first", "starts_at")[:count])


def public_comments(room: LiveRoom, *, before: int | None = None,
                    size: int = COMMENT_PAGE) -> list[LiveComment]:
    """Published comments, newest first; ``before`` is the last id of the previous page."""
    queryset = (LiveComment.objects.filter(room=room, status=CommentStatus.APPROVED)
                .select_related("author").order_by("-pk"))
    if before:
        queryset = queryset.filter(pk__lt=before)
    return list(queryset[:size])


def own_pending(room: LiveRoom, user) -> list[LiveComment]:
    """The signed-in resident's comments still waiting (shown only to them)."""
    if user is None or not user.is_authenticated:
        return []
    return list(LiveComment.objects.filter(room=room, author=user,
                                           status=CommentStatus.PENDING)
                .select_related("author").order_by("-pk")[:10])


def live_posts(room: LiveRoom, limit: int = 100) -> list[LivePost]:
    return list(LivePost.objects.filter(room=room, is_removed=False)
                .select_related("author", "image")[:limit])


def active_products(room: LiveRoom) -> list[LiveProduct]:
    return list(LiveProduct.objects.filter(room=room, is_active=True))


def pinned_notice(room: LiveRoom) -> LiveNotice | None:
    return LiveNotice.objects.filter(room=room, pinned=True).first()


def draws(room: LiveRoom) -> list[LiveDraw]:
    return list(LiveDraw.objects.filter(room=room)[:10])


def is_booked(room: LiveRoom, user) -> bool:
    return bool(user is not None and user.is_authenticated
                and LiveReminder.objects.filter(room=room, user=user).exists())


def room_figures(room: LiveRoom) -> dict[str, int]:
    """Viewers and likes: live figures while on air, the stored ones afterwards."""
    if room.state == RoomState.LIVE:
        viewers, likes = counters.light_figures([room.pk])[room.pk]
        return {"viewers": viewers, "likes": max(likes, room.likes),
                "peak": room.peak_viewers, "total": room.total_viewers}
    return {"viewers": 0, "likes": room.likes, "peak": room.peak_viewers,
            "total": room.total_viewers}


def poll(room: LiveRoom) -> dict:
    """What the polling fallback answers: the same for everyone (cached briefly).

    ``t`` is the server's time of the answer: a message's own ``t`` is when it was
    published, which for a message read back later is no clock at all (直播答题's countdown
    needs the server's now; the cache's age stays within the answers' grace)."""
    recent = fanout.recent(room.pk)
    return {"room": room.pk, "t": round(time.time(), 4), "state": room.state,
            "label": room.state_label,
            "online": room.stream_online, "comments_closed": room.comments_closed,
            **room_figures(room), **recent}


def moderation_queue(room: LiveRoom, *, status: str = CommentStatus.PENDING,
                     limit: int = 200) -> list[LiveComment]:
    return list(LiveComment.objects.filter(room=room, status=status)
                .select_related("author").order_by("-pk")[:limit])
