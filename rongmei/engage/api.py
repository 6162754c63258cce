"""互动 API, mounted at /api/v1/engage/: read and watch beacons, likes, favourites, shares,
comments, reports, and the reader's own state on a page (the story HTML is the same for
everyone; what is personal comes from here)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.middleware.csrf import get_token
from ninja import Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from pydantic import WithJsonSchema

from rongmei.core import ratelimit
from rongmei.core.api import AUTH, NONBLANK, ErrorOut, Id, authenticate, documented
from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip

from . import selectors, services
from .counters import reader_id
from .models import ReportCategory, ShareChannel
from .templatetags.engage_tags import display_name

logger = logging.getLogger("rongmei.engage")
router = Router(tags=["互动"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut, 429: ErrorOut}
DEVICE_COOKIE = "rm_did"


class BeaconIn(Schema):
    device: str = ""


class BeaconOut(Schema):
    counted: bool


class ToggleOut(Schema):
    on: bool
    count: int


class ShareIn(Schema):
    channel: str = documented(enum=ShareChannel.values)


class ShareOut(Schema):
    shares: int


class ReplyOut(Schema):
    body: str
    created_at: datetime


class CommentOut(Schema):
    id: int
    author: str
    body: str
    status: str
    status_label: str
    created_at: datetime
    replies: list[ReplyOut]


class CommentPageOut(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class CommentIn(Schema):
    body: str = documented(maxLength=services.COMMENT_MAX, pattern=NONBLANK,
                           description=f"评论内容（纯文本，1–{services.COMMENT_MAX}字）")


class CountsOut(Schema):
    reads: int
    likes: int
    favourites: int
    shares: int
    comments: int


class StateOut(Schema):
    signed_in: bool
    liked: bool
    favourited: bool
    comments_open: bool
    counts: CountsOut
    pending: list[CommentOut]


class ReportIn(Schema):
    category: str = documented(enum=ReportCategory.values)
    text: str = ""


class ReportOut(Schema):
    id: int
    status: str


class FavouriteOut(Schema):
    page_id: int
    title: str
    url: str | None
    favourited_at: datetime


class FavouritePageOut(Schema):
    items: list[FavouriteOut]
    next_cursor: str | None


# The next_cursor of the previous page ("<microseconds>_<id>"); limit is clamped to 1–50.
Cursor = Annotated[str, WithJsonSchema(  # empty: the first page
    {"type": "string", "pattern": r"^([0-9]{1,16}_[0-9]{1,18})?$"})]
CURSOR = Query(None, description="上一页返回的 next_cursor")


def _comment(c) -> dict:
    return {"id": c.pk, "author": display_name(c.author), "body": c.body, "status": c.status,
            "status_label": c.get_status_display(), "created_at": c.created_at,
            "replies": [{"body": r.body, "created_at": r.created_at} for r in c.replies.all()]
            if c.is_public else []}


def _optional_user(request):
    """The signed-in reader, or None: reads and shares are counted for anyone."""
    try:
        return authenticate(request)
    except (AuthenticationError, HttpError):
        return None


def _resident(request, message: str):
    try:
        return authenticate(request)
    except AuthenticationError:
        raise ServiceError("not_authenticated", message, status=401) from None


def _limit_reads(ip: str, who: str) -> None:
    """One round trip for both limits. With Redis down the beacon is not counted anyway
    (``counters.first_today``), so it goes unlimited rather than failing the page."""
    import redis

    try:
        ratelimit.hit_all([("engage-read-ip", ip, settings.ENGAGE_READS_PER_IP_PER_MINUTE),
                           ("engage-read-who", who, settings.ENGAGE_READS_PER_READER_PER_MINUTE)],
                          window=60, message="阅读上报过于频繁，请稍后再试")
    except redis.RedisError:
        logger.warning("read beacon limits skipped: Redis unavailable")


@router.post("/pages/{page_id}/read", response={200: BeaconOut, **ERRORS},
             summary="阅读上报（按用户或设备每天每篇计一次；无需登录）")
def read(request, page_id: Id, payload: BeaconIn = None):
    user = _optional_user(request)
    device = (payload.device if payload else "") or request.COOKIES.get(DEVICE_COOKIE, "")
    ip = client_ip(request) or "-"
    fallback = f"{ip}|{request.headers.get('user-agent', '')[:200]}"
    # The device id is whatever the client sends: a script inventing a new one per beacon
    # would count a read (and leave a dedupe key in Redis) each time. Beacons are limited
    # per address and per reader before anything is counted or stored.
    _limit_reads(ip, reader_id(user=user, device=device, fallback=fallback))
    counted = services.read_beacon(page_id=page_id, user=user, device=device,
                                   fallback=fallback)
    return {"counted": counted}


@router.post("/pages/{page_id}/watched", response={200: BeaconOut, **ERRORS}, auth=AUTH,
             summary="视频已基本看完（登录用户每天每个视频得一次积分）")
def watched(request, page_id: Id):
    return {"counted": services.watch_beacon(page_id=page_id, user=request.auth)}


@router.get("/pages/{page_id}/state", response={200: StateOut, **ERRORS},
            summary="本人在该稿件上的状态和各项计数")
def state(request, page_id: Id):
    user = _optional_user(request)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    else:
        get_token(request)  # the CSRF cookie the page's script sends back on writes
    data = selectors.page_state(page_id=page_id, user=user)
    data["pending"] = [_comment(c) for c in data["pending"]]
    return data


def _toggle(request, page_id: Id, kind: str, on: bool) -> dict:
    state, count = services.reaction_set(user=request.auth, page_id=page_id, kind=kind, on=on)
    return {"on": state, "count": count}


@router.put("/pages/{page_id}/like", response={200: ToggleOut, **ERRORS}, auth=AUTH,
            summary="点赞（重复提交无影响）")
def like(request, page_id: Id):
    return _toggle(request, page_id, "like", True)


@router.delete("/pages/{page_id}/like", response={200: ToggleOut, **ERRORS}, auth=AUTH,
               summary="取消点赞")
def unlike(request, page_id: Id):
    return _toggle(request, page_id, "like", False)


@router.put("/pages/{page_id}/favourite", response={200: ToggleOut, **ERRORS}, auth=AUTH,
            summary="收藏")
def favourite(request, page_id: Id):
    return _toggle(request, page_id, "favourite", True)


@router.delete("/pages/{page_id}/favourite", response={200: ToggleOut, **ERRORS}, auth=AUTH,
               summary="取消收藏")
def unfavourite(request, page_id: Id):
    return _toggle(request, page_id, "favourite", False)


@router.post("/pages/{page_id}/share", response={200: ShareOut, **ERRORS},
             summary="分享计数（wechat、moments、weibo、copy_link、system；登录用户得积分）")
def share(request, page_id: Id, payload: ShareIn):
    user = _optional_user(request)
    ident = request.COOKIES.get(DEVICE_COOKIE, "") or str(client_ip(request))
    return {"shares": services.share_record(page_id=page_id, channel=payload.channel,
                                            user=user, ident=ident)}


@router.get("/pages/{page_id}/comments", response={200: CommentPageOut, **ERRORS},
            summary="已通过审核的评论（最新在前，cursor 翻页）")
def comments(request, page_id: Id, cursor: Cursor | None = CURSOR, limit: int = 20):
    items, next_cursor = selectors.public_comments(page_id=page_id, cursor=cursor, limit=limit)
    return {"items": [_comment(c) for c in items], "next_cursor": next_cursor}


@router.post("/pages/{page_id}/comments", response={200: CommentOut, **ERRORS},
             summary="发表评论（先审后发：审核通过后公开）")
def comment_post(request, page_id: Id, payload: CommentIn):
    user = _resident(request, services.NOT_SIGNED_IN)
    return _comment(services.comment_post(user=user, page_id=page_id, body=payload.body))


@router.delete("/comments/{comment_id}", response={200: CommentOut, **ERRORS}, auth=AUTH,
               summary="删除自己的评论")
def comment_delete(request, comment_id: Id):
    return _comment(services.comment_delete_own(user=request.auth, comment_id=comment_id))


@router.post("/comments/{comment_id}/report", response={200: ReportOut, **ERRORS},
             summary="举报评论（类型：illegal、porn、abuse、rumor、spam、other）")
def comment_report(request, comment_id: Id, payload: ReportIn):
    user = _resident(request, "请先登录后再举报")
    report = services.report_file(user=user, comment_id=comment_id,
                                  category=payload.category, text=payload.text)
    return {"id": report.pk, "status": report.status}


@router.post("/pages/{page_id}/report", response={200: ReportOut, **ERRORS},
             summary="举报稿件")
def page_report(request, page_id: Id, payload: ReportIn):
    user = _resident(request, "请先登录后再举报")
    report = services.report_file(user=user, page_id=page_id, category=payload.category,
                                  text=payload.text)
    return {"id": report.pk, "status": report.status}


@router.get("/me/favourites", response={200: FavouritePageOut, **ERRORS}, auth=AUTH,
            summary="我的收藏（最新在前，cursor 翻页）")
def my_favourites(request, cursor: Cursor | None = CURSOR, limit: int = 20):
    items, next_cursor = selectors.favourites_of(user=request.auth, cursor=cursor, limit=limit)
    return {"items": [{"page_id": f.page_id, "title": f.page.title, "url": f.page.url,
                       "favourited_at": f.created_at} for f in items],
            "next_cursor": next_cursor}
