"""Notices API (/api/v1/notices): the signed-in person's inbox for native apps."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from rongmei.core.api import AUTH, ErrorOut

from . import selectors, services
from .models import Box

router = Router(tags=["消息"])
ERRORS = {401: ErrorOut, 404: ErrorOut}


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    box: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool
    done: bool


class NoticeCountsOut(Schema):
    todo: int
    message: int
    total: int


class MarkedOut(Schema):
    marked: int


def _out(n) -> dict:
    return {"id": n.pk, "kind": n.kind, "kind_label": n.kind_label, "box": n.box,
            "title": n.title, "body": n.body, "link": n.link, "created_at": n.created_at,
            "read": n.read_at is not None, "done": n.done_at is not None}


@router.get("", response={200: list[NoticeOut], **ERRORS}, auth=AUTH,
            summary="我的消息（box=todo 待办 / message 消息）")
def notices(request, box: str = Box.MESSAGE, offset: int = 0, done: bool = False):
    box = box if box in Box.values else Box.MESSAGE
    start = max(offset, 0)
    return [_out(n) for n in selectors.inbox(user=request.auth, box=box,
                                             include_done=done)[start:start + 50]]


@router.get("/counts", response={200: NoticeCountsOut, **ERRORS}, auth=AUTH,
            summary="未办待办与未读消息数")
def counts(request):
    return selectors.counts(user=request.auth)


@router.post("/{notice_id}/read", response={200: NoticeOut, **ERRORS}, auth=AUTH,
             summary="标记为已读")
def read(request, notice_id: int):
    return _out(services.mark_read(user=request.auth, notice_id=notice_id))


@router.post("/read-all", response={200: MarkedOut, **ERRORS}, auth=AUTH,
             summary="全部标为已读")
def read_all(request, box: str = ""):
    return {"marked": services.mark_all_read(user=request.auth, box=box or None)}
