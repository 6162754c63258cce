"""直播 API, mounted at /api/v1/live/: rooms, comments, likes, heartbeats, 预约.

The comment stream itself is Server-Sent Events from the ASGI server
(``/live/stream/<id>?d=<device>``); clients that cannot hold it poll ``/live/<id>/poll``,
which is the same for everyone and cached for a second or two in front of the app.
"""

from __future__ import annotations

from datetime import datetime

from django.middleware.csrf import get_token
from ninja import Router, Schema
from ninja.errors import AuthenticationError, HttpError

from rongmei.core.api import AUTH, ErrorOut, authenticate
from rongmei.core.http import client_ip

from . import selectors
from .models import RoomState
from .services import audience, comments
from .services.comments import author_name

router = Router(tags=["直播"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut, 429: ErrorOut}


class LiveRoomOut(Schema):
    id: int
    kind: str
    title: str
    intro: str
    state: str
    state_label: str
    starts_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    url: str
    cover: str | None
    hls_url: str | None
    online: bool
    comments_closed: bool
    comment_mode: str
    viewers: int
    likes: int
    peak_viewers: int
    total_viewers: int
    replay_url: str | None


class LiveListingOut(Schema):
    live: list[LiveRoomOut]
    upcoming: list[LiveRoomOut]
    past: list[LiveRoomOut]


class LiveCommentOut(Schema):
    id: int
    author: str
    body: str
    status: str
    created_at: datetime


class LiveCommentIn(Schema):
    body: str


class LiveMeOut(Schema):
    signed_in: bool
    booked: bool
    pending: list[LiveCommentOut]


class LiveLikeIn(Schema):
    count: int
    device: str = ""


class LiveLikeOut(Schema):
    likes: int


class LiveHeartbeatIn(Schema):
    device: str


class LiveHeartbeatOut(Schema):
    viewers: int
    likes: int
    state: str


class LiveReminderOut(Schema):
    booked: bool


class LivePostOut(Schema):
    id: int
    author: str
    body: str
    image: str | None
    pinned: bool
    created_at: datetime


def _room(room, figures: dict | None = None) -> dict:
    figures = figures or selectors.room_figures(room)
    replay = room.replay_page
    return {
        "id": room.pk, "kind": room.kind, "title": room.title, "intro": room.intro,
        "state": room.state, "state_label": room.state_label, "starts_at": room.starts_at,
        "started_at": room.started_at, "ended_at": room.ended_at,
        "url": room.get_absolute_url(),
        "cover": room.cover.get_rendition("fill-750x420").url if room.cover_id else None,
        "hls_url": room.hls_url if room.is_video and room.state == RoomState.LIVE else None,
        "online": room.stream_online, "comments_closed": room.comments_closed,
        "comment_mode": room.comment_mode, "viewers": figures["viewers"],
        "likes": figures["likes"], "peak_viewers": room.peak_viewers,
        "total_viewers": room.total_viewers,
        "replay_url": replay.url if replay is not None and replay.live else None,
    }


def _comment(c) -> dict:
    return {"id": c.pk, "author": author_name(c.author), "body": c.body, "status": c.status,
            "created_at": c.created_at}


def _optional_user(request):
    try:
        return authenticate(request)
    except (AuthenticationError, HttpError):
        return None


@router.get("/rooms", response={200: LiveListingOut}, summary="直播列表：直播中、预告、回放")
def rooms(request):
    listing = selectors.room_listing()
    return {name: [_room(r, {"viewers": 0, "likes": r.likes}) for r in items]
            for name, items in listing.items()}


@router.get("/rooms/{room_id}", response={200: LiveRoomOut, **ERRORS}, summary="直播间详情")
def room(request, room_id: int):
    return _room(selectors.public_room(room_id))


@router.get("/rooms/{room_id}/me", response={200: LiveMeOut, **ERRORS},
            summary="本人在直播间的状态（是否登录、是否预约、自己待审核的评论）")
def me(request, room_id: int):
    found = selectors.public_room(room_id)
    user = _optional_user(request)
    if user is not None:
        get_token(request)  # the CSRF cookie the page's script sends back on writes
    return {"signed_in": user is not None, "booked": selectors.is_booked(found, user),
            "pending": [_comment(c) for c in selectors.own_pending(found, user)]}


@router.get("/rooms/{room_id}/comments", response={200: list[LiveCommentOut], **ERRORS},
            summary="已发布的评论，最新在前（before=上一页最后一条的 id）")
def comment_list(request, room_id: int, before: int | None = None):
    found = selectors.public_room(room_id)
    return [_comment(c) for c in selectors.public_comments(found, before=before)]


@router.post("/rooms/{room_id}/comments", response={200: LiveCommentOut, **ERRORS}, auth=AUTH,
             summary="发表评论（先审后发的直播间须审核后显示）")
def comment_post(request, room_id: int, payload: LiveCommentIn):
    return _comment(comments.comment_post(user=request.auth, room_id=room_id,
                                          body=payload.body))


@router.post("/rooms/{room_id}/likes", response={200: LiveLikeOut, **ERRORS},
             summary="点赞（客户端合并连击，每次 1–50）")
def likes(request, room_id: int, payload: LiveLikeIn):
    address = str(client_ip(request) or "")
    ident = payload.device or address
    return {"likes": audience.like(room_id=room_id, count=payload.count, ident=ident,
                                   address=address)}


@router.post("/rooms/{room_id}/heartbeat", response={200: LiveHeartbeatOut, **ERRORS},
             summary="观看心跳（约每20秒；计入在线人数，登录用户观看满3分钟得“看视频”积分）")
def heartbeat(request, room_id: int, payload: LiveHeartbeatIn):
    return audience.heartbeat(room_id=room_id, device=payload.device,
                              user=_optional_user(request),
                              address=str(client_ip(request) or ""))


@router.put("/rooms/{room_id}/reminder", response={200: LiveReminderOut, **ERRORS}, auth=AUTH,
            summary="预约：开播时提醒我")
def remind(request, room_id: int):
    return {"booked": audience.reminder_set(user=request.auth, room_id=room_id, on=True)}


@router.delete("/rooms/{room_id}/reminder", response={200: LiveReminderOut, **ERRORS}, auth=AUTH,
               summary="取消预约")
def unremind(request, room_id: int):
    return {"booked": audience.reminder_set(user=request.auth, room_id=room_id, on=False)}


@router.get("/rooms/{room_id}/posts", response={200: list[LivePostOut], **ERRORS},
            summary="图文直播条目（置顶在前，其余最新在前）")
def posts(request, room_id: int):
    found = selectors.public_room(room_id)
    return [{"id": p.pk, "author": author_name(p.author) if p.author else "融媒记者",
             "body": p.body, "pinned": p.pinned, "created_at": p.created_at,
             "image": p.image.get_rendition("max-1080x1080").url if p.image_id else None}
            for p in selectors.live_posts(found)]
