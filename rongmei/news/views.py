"""Resident pages and pull outlets of the newsroom: channel feeds, RSS/Atom, ninjs JSON, search."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.feedgenerator import Atom1Feed
from wagtail.models import Page

from rongmei.core.errors import ServiceError
from rongmei.core.pagecache import mark_cacheable

from . import selectors
from .models import Channel
from .services import absolute

FEED_SIZE = 30


def _channel_from(request):
    slug = request.GET.get("channel")
    if not slug:
        return None
    return get_object_or_404(Channel, slug=slug, is_active=True)


def feed_page(request, *, index_page=None, section=None):
    """新闻 (all channels, or ?channel=) and a section's page; "更多" continues by cursor."""
    channel = _channel_from(request)
    try:
        page = selectors.feed(channel=channel, section=section,
                              cursor=request.GET.get("cursor"))
    except ServiceError:
        raise Http404("翻页参数无效") from None
    template = "news/_feed_items.html" if request.GET.get("partial") else "news/feed_page.html"
    response = render(request, template, {
        "page": index_page or section, "section": section, "channel": channel,
        "channels": selectors.active_channels(), "feed": page,
    })
    return mark_cacheable(response, seconds=60)


def search_page(request):
    from .search import search
    query = (request.GET.get("q") or "").strip()[:50]
    results = search(query, limit=50) if query else []
    return render(request, "news/search.html", {"query": query, "results": results})


# --- RSS / Atom -------------------------------------------------------------------------------

class StoryRss(Feed):
    description_template = None

    def get_object(self, request):
        self.request = request
        return _channel_from(request)

    def title(self, channel):
        name = settings.RONGMEI_SITE_NAME
        return f"{name} · {channel.name}" if channel else f"{name} · 最新新闻"

    def link(self, channel):
        return "/news/" + (f"?channel={channel.slug}" if channel else "")

    def description(self, channel):
        return f"{settings.RONGMEI_COUNTY_NAME}融媒体中心新闻订阅"

    def items(self, channel):
        return selectors.feed(channel=channel, size=FEED_SIZE).entries

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return entry.summary

    def item_link(self, entry):
        return entry.url

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_author_name(self, entry):
        return entry.source or settings.RONGMEI_SITE_NAME

    def item_categories(self, entry):
        return [entry.channel.name] if entry.channel else []

    def __call__(self, request, *args, **kwargs):
        return mark_cacheable(super().__call__(request, *args, **kwargs), seconds=120)


class StoryAtom(StoryRss):
    feed_type = Atom1Feed
    subtitle = StoryRss.description


def ninjs_item(entry, page=None) -> dict:
    """One story in IPTC ninjs 2.0 (https://iptc.org/std/ninjs/)."""
    page = page or entry.page.specific
    item = {
        "uri": absolute(entry.url),
        "type": {"article": "text", "gallery": "picture", "video": "video", "audio": "audio",
                 "link": "text"}[entry.kind],
        "representationtype": "complete",
        "language": "zh-CN",
        "versioncreated": entry.updated_at.isoformat(),
        "firstcreated": entry.published_at.isoformat(),
        "pubstatus": "usable",
        "headlines": [{"value": entry.title}],
        "descriptions": [{"role": "summary", "contenttype": "text/plain",
                          "value": entry.summary}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": page.body_html()}],
        "by": page.author or page.reporter,
        "subjects": [{"name": tag.name} for tag in page.tags.all()],
        "places": [{"name": page.place}] if page.place else [],
        "copyrightholder": page.source if page.origin == "reprint" else settings.RONGMEI_SITE_NAME,
    }
    if entry.cover_id:
        rendition = entry.cover.get_rendition("max-1200x1200")
        item["renditions"] = [{"name": "cover", "href": absolute(rendition.url),
                               "contenttype": "image/jpeg", "width": rendition.width,
                               "height": rendition.height}]
    if page.correction_note:
        item["ednote"] = page.correction_note
    return item


def ninjs_feed(request):
    channel = _channel_from(request)
    entries = (selectors.feed(channel=channel, size=FEED_SIZE).entries)
    pages = {p.pk: p for p in Page.objects.filter(
        pk__in=[e.page_id for e in entries]).specific()}
    items = [ninjs_item(entry, pages.get(entry.page_id)) for entry in entries]
    body = json.dumps({"version": "2.0", "items": items}, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return mark_cacheable(response, seconds=120)
