"""The audience: heartbeats (viewer counts and 看视频 points), likes, and 预约 reminders.

No database write per heartbeat or like: both land in Redis (``counters``). A signed-in
viewer who has watched ``LIVE_WATCH_POINTS_MINUTES`` minutes of a room today earns the
points rule ``watch_video`` through ``points.services.points_earn`` — the same rule and the
same daily cap as watching a video story, once per room per day.

预约: ``reminder_set`` books a resident for a room; ``remind_started`` (called by the state
transition when the room goes live) marks each booking notified — the in-app record that 我的
and the live list show — tells them in their 消息 inbox (the notices platform app), and
sends a Web Push to the browsers those residents subscribed with.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import ServiceError

from .. import counters
from ..models import LiveReminder, LiveRoom, RoomState
from ..selectors import public_room

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 20  # what the player's script sends; the window is a little longer
LIKES_PER_BATCH = 50
DEVICE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def clean_device(device: str) -> str:
    device = (device or "").strip()
    if not DEVICE.match(device):
        raise ServiceError("invalid_device", "设备标识无效，请刷新页面后重试", field="device")
    return device


# Per address and minute: device ids are chosen by the client, so one machine inventing
# new ones would inflate 在线人数 and 点赞 without end. A crowd behind one address (a
# village's or a school's carrier NAT) stays well under these.
HEARTBEATS_PER_ADDRESS = 300  # ≈ 100 devices beating every 20 s
LIKE_BATCHES_PER_ADDRESS = 120


def heartbeat(*, room_id, device: str, user=None, now=None, address: str = "") -> dict:
    """A viewer is watching (every ~20 s from the polling player, and from any signed-in
    player for points). Returns the room's current figures."""
    room = public_room(room_id)
    device = clean_device(device)
    who = f"u{user.pk}" if user is not None and user.is_authenticated else device
    checks = [("live-heartbeat", f"{room.pk}:{who}", 6)]
    if address:
        checks.append(("live-heartbeat-ip", f"{room.pk}:{address}", HEARTBEATS_PER_ADDRESS))
    ratelimit.hit_all(checks, window=60, message="心跳过于频繁")
    if room.state != RoomState.LIVE:
        return {"viewers": 0, "likes": room.likes, "state": room.state}
    counters.register_viewers(room.pk, [device])
    if user is not None and user.is_authenticated:
        _watch_points(room, user, now=now)
    viewers, likes = counters.light_figures([room.pk])[room.pk]
    return {"viewers": viewers, "likes": likes, "state": room.state}


def _watch_points(room: LiveRoom, user, *, now=None) -> None:
    from rongmei.points.services import points_earn

    now = now or timezone.now()
    beats = counters.watch_tick(room.pk, user.pk, day=f"{timezone.localtime(now):%Y%m%d}")
    needed = max(1, settings.LIVE_WATCH_POINTS_MINUTES * 60 // HEARTBEAT_SECONDS)
    if beats == needed:  # exactly once a day per room, however many beats follow
        points_earn(user=user, action="watch_video", source=f"live:{room.pk}", now=now)


def like(*, room_id, count: int, ident: str, address: str = "") -> int:
    """Taps batched by the client (1–50 per request). Returns the room's total."""
    room = public_room(room_id)
    if room.state not in (RoomState.LIVE, RoomState.SCHEDULED):
        raise ServiceError("room_over", "直播已结束", status=409)
    if not isinstance(count, int) or not 1 <= count <= LIKES_PER_BATCH:
        raise ServiceError("invalid_count", f"每次点赞数应为1到{LIKES_PER_BATCH}", field="count")
    checks = [("live-like", f"{room.pk}:{ident}", 40)]
    if address:
        checks.append(("live-like-ip", f"{room.pk}:{address}", LIKE_BATCHES_PER_ADDRESS))
    ratelimit.hit_all(checks, window=60, message="点赞太快了，休息一下吧")
    return counters.add_likes(room.pk, count)


def reminder_set(*, user, room_id, on: bool) -> bool:
    """预约 (or cancel it). Only rooms still to start can be booked."""
    if user is None or not user.is_authenticated:
        raise ServiceError("not_authenticated", "请先登录后再预约", status=401)
    room = public_room(room_id)
    if on and room.state != RoomState.SCHEDULED:
        raise ServiceError("not_scheduled", "直播已经开始或已结束，无需预约", status=409)
    if not on:
        LiveReminder.objects.filter(room=room, user=user).delete()
        return False
    try:
        with transaction.atomic():
            LiveReminder.objects.get_or_create(room=room, user=user)
    except IntegrityError:
        pass  # booked twice at once: one row
    return True


def remind_started(room: LiveRoom) -> None:
    """The room went live (inside its transaction): remind whoever booked it."""
    now = timezone.now()
    booked = list(LiveReminder.objects.filter(room=room, notified_at__isnull=True)
                  .values_list("user_id", flat=True))
    if not booked:
        return
    LiveReminder.objects.filter(room=room, notified_at__isnull=True).update(notified_at=now)
    from rongmei.accounts.models import User
    from rongmei.notices.services import notify

    notify(users=User.objects.filter(pk__in=booked), kind="live_started",
           title="您预约的直播开始了", body=room.title, link=room.get_absolute_url(),
           about=f"live:{room.pk}")
    room_id = room.pk
    transaction.on_commit(lambda: _enqueue_push(room_id, booked))


def _enqueue_push(room_id: int, user_ids: list[int]) -> None:
    from ..tasks import push_reminders

    push_reminders.enqueue(room_id, user_ids)


def reminders_started_for(user) -> list[LiveReminder]:
    """Bookings of ``user`` whose room has started and that they have not looked at."""
    if user is None or not user.is_authenticated:
        return []
    return list(LiveReminder.objects.filter(user=user, notified_at__isnull=False,
                                            seen_at__isnull=True,
                                            room__state=RoomState.LIVE)
                .select_related("room"))


def reminders_seen(*, user, room_id) -> None:
    if user is not None and user.is_authenticated:
        LiveReminder.objects.filter(user=user, room_id=room_id, seen_at__isnull=True) \
            .update(seen_at=timezone.now())
