"""Feeds for the native app and mini-program: the same entries the H5 pages show."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from rongmei.core.errors import NotFoundError

from . import selectors
from .models import Channel
from .services import absolute

router = Router(tags=["新闻"])


class ChannelOut(Schema):
    name: str
    slug: str


class EntryOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    url: str
    channel: str | None
    cover: str | None
    published_at: datetime
    reads: int = 0
    likes: int = 0
    comments: int = 0


class FeedOut(Schema):
    items: list[EntryOut]
    next_cursor: str | None


@router.get("/channels", response=list[ChannelOut], summary="栏目列表")
def channels(request):
    return selectors.active_channels()


@router.get("/feed", response=FeedOut, summary="稿件流（按发布时间倒序，游标翻页）")
def feed(request, channel: str | None = None, cursor: str | None = None):
    channel_obj = None
    if channel:
        channel_obj = Channel.objects.filter(slug=channel, is_active=True).first()
        if channel_obj is None:
            raise NotFoundError("没有这个栏目")
    page = selectors.feed(channel=channel_obj, cursor=cursor)
    return {"items": [_entry(e) for e in page.entries], "next_cursor": page.next_cursor}


@router.get("/search", response=list[EntryOut], summary="搜索稿件")
def search(request, q: str):
    from .search import search as run_search
    return [_entry(e) for e in run_search(q[:50], limit=50)]


def _entry(entry) -> dict:
    cover = None
    if entry.cover_id:
        cover = absolute(entry.cover.get_rendition("fill-480x320|format-webp").url)
    return {"id": entry.page_id, "kind": entry.kind, "title": entry.title,
            "summary": entry.summary, "url": absolute(entry.url),
            "channel": entry.channel.name if entry.channel else None, "cover": cover,
            "published_at": entry.published_at,
            **({"reads": entry.stats.reads, "likes": entry.stats.likes,
                "comments": entry.stats.comments} if hasattr(entry, "stats") else {})}


