"""Feeds for the native app and mini-program: the same entries the H5 pages show."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import WithJsonSchema

from rongmei.core.api import ErrorOut
from rongmei.core.errors import NotFoundError
from rongmei.core.http import client_ip

from . import selectors
from .models import Channel
from .services import absolute

router = Router(tags=["新闻"])
# An opaque position in the feed; only a next_cursor the API returned is valid.
FeedCursor = Annotated[str, WithJsonSchema({"type": "string", "format": "feed-cursor"})]
CURSOR = Query(None, description="上一页返回的 next_cursor（不透明）")


class ChannelOut(Schema):
    name: str
    slug: str


class StoryEntryOut(Schema):
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


class SearchEntryOut(StoryEntryOut):
    title_html: str = ""  # the title, HTML-escaped, with the matched words in <mark>
    summary_html: str = ""


class FeedOut(Schema):
    items: list[StoryEntryOut]
    next_cursor: str | None


@router.get("/channels", response=list[ChannelOut], summary="栏目列表")
def channels(request):
    return selectors.active_channels()


@router.get("/feed", response={200: FeedOut, 400: ErrorOut, 404: ErrorOut},
            summary="稿件流（按发布时间倒序，游标翻页）",
            description="channel 不存在时 404；cursor 不是上一页返回的 next_cursor 时 400（bad_cursor）。")
def feed(request, channel: str | None = None, cursor: FeedCursor | None = CURSOR):
    channel_obj = None
    if channel:
        channel_obj = Channel.objects.filter(slug=channel, is_active=True).first()
        if channel_obj is None:
            raise NotFoundError("没有这个栏目")
    page = selectors.feed(channel=channel_obj, cursor=cursor)
    return {"items": [_entry(e) for e in page.entries], "next_cursor": page.next_cursor}


@router.get("/search", response=list[SearchEntryOut], summary="搜索稿件",
            description="按相关度（标题、摘要、正文命中，兼顾时效）排序，最多 50 篇；"
                        "title_html / summary_html 中命中的词用 <mark> 标出。")
def search(request, q: str):
    from .search import record_miss
    from .search import search as run_search

    entries = run_search(q[:50], limit=50)
    if not entries:
        record_miss(q[:50], client=client_ip(request))
    return [{**_entry(e), "title_html": str(e.title_html), "summary_html": str(e.summary_html)}
            for e in entries]


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


