"""Resident pages and pull outlets of the newsroom: channel feeds, RSS/Atom, ninjs JSON, search."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import set_response_etag
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from wagtail.models import Page

from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.pagecache import LISTS, conditional, mark_cacheable
from rongmei.core.text import xml_safe

from . import selectors
from .models import Channel, SectionPage
from .services import absolute

FEED_SIZE = 30
# One language tag for everything the newsroom publishes: HTML (base.html), RSS, Atom and
# ninjs. BCP 47 "zh-Hans": Chinese in simplified script (Django's LANGUAGE_CODE, zh-hans,
# is the same tag; tags are case-insensitive, this is the canonical casing).
CONTENT_LANGUAGE = "zh-Hans"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"


def _channel_from(request):
    slug = request.GET.get("channel")
    if not slug:
        return None
    return get_object_or_404(Channel, slug=slug, is_active=True)


def _section_from(request):
    raw = request.GET.get("section")
    if not raw:
        return None
    if not raw.isdecimal():
        raise Http404("没有这个分端")
    return get_object_or_404(SectionPage.objects.live(), pk=int(raw))


def feed_query(*, channel=None, section=None) -> str:
    """The query string selecting the same stories in RSS, Atom and ninjs."""
    if channel is not None:
        return f"?channel={channel.slug}"
    if section is not None:
        return f"?section={section.pk}"
    return ""


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
        "feed_query": feed_query(channel=channel, section=section),
    })
    return mark_cacheable(response, seconds=60, tags=(LISTS,))


def search_page(request):
    from .search import search
    query = (request.GET.get("q") or "").strip()[:50]
    results = search(query, limit=50) if query else []
    if query and not results:
        from .search import record_miss
        record_miss(query, client=client_ip(request))
    return render(request, "news/search.html", {"query": query, "results": results})


# --- RSS / Atom / ninjs -------------------------------------------------------------------------
# Pull outlets for readers and aggregators: the newest FEED_SIZE stories, all of them or one
# channel's (?channel=slug) or one section's (?section=id). Each answers conditional GETs
# (ETag and Last-Modified → 304) here and on page-cache hits (core.pagecache).

def _validated(request, response):
    """Give a feed response its ETag (Last-Modified is set by each feed) and answer 304 when
    the reader already has it."""
    set_response_etag(response)
    return conditional(request, response)


class StoryRss(Feed):
    description_template = None
    language = CONTENT_LANGUAGE

    def get_object(self, request):
        self.request = request
        channel, section = _channel_from(request), _section_from(request)
        return {"channel": channel, "section": section}

    def title(self, selection):
        name = settings.RONGMEI_SITE_NAME
        scope = selection["channel"] or selection["section"]
        return xml_safe(f"{name} · {scope.name if selection['channel'] else scope.title}"
                        if scope else f"{name} · 最新新闻")

    def link(self, selection):
        # Absolute from BASE_URL, as in ninjs and outlets (``rongmei check`` warns when it
        # is unset in production), not from whichever host the feed was fetched through.
        if selection["section"] is not None:
            return absolute(selection["section"].url)
        return absolute("/news/" + feed_query(channel=selection["channel"]))

    def description(self, selection):
        return f"{settings.RONGMEI_COUNTY_NAME}融媒体中心新闻订阅"

    def items(self, selection):
        return selectors.feed(channel=selection["channel"], section=selection["section"],
                              size=FEED_SIZE).entries

    # Every text goes through xml_safe: one stored control character (adversarial review)
    # made Django's feed writer raise and took the feeds down for everyone.
    def item_title(self, entry):
        return xml_safe(entry.title)

    def item_description(self, entry):
        return xml_safe(entry.summary)

    def item_link(self, entry):
        return absolute(entry.url)

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_author_name(self, entry):
        return xml_safe(entry.source or settings.RONGMEI_SITE_NAME)

    def item_categories(self, entry):
        return [xml_safe(entry.channel.name)] if entry.channel else []

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Content-Language"] = CONTENT_LANGUAGE
        return mark_cacheable(_validated(request, response), seconds=120, tags=(LISTS,))


class StoryAtom(StoryRss):
    feed_type = Atom1Feed
    subtitle = StoryRss.description


NINJS_TYPES = {"article": "text", "gallery": "picture", "video": "video", "audio": "audio",
               "link": "text"}
NINJS_STANDARD = {"name": "ninjs", "version": "2.0", "schema": NINJS_SCHEMA}


def ninjs_item(entry, page=None) -> dict:
    """One story as an IPTC ninjs 2.0 news item (https://iptc.org/std/ninjs/), valid against
    the official schema (tested)."""
    page = page or entry.page.specific
    item = {
        "uri": absolute(entry.url),
        "standard": NINJS_STANDARD,
        "type": NINJS_TYPES[entry.kind],
        "representationtype": "full",
        "language": CONTENT_LANGUAGE,
        "versioncreated": entry.updated_at.isoformat(),
        "firstcreated": entry.published_at.isoformat(),
        "pubstatus": "usable",
        "headlines": [{"role": "main", "value": entry.title}],
        "descriptions": [{"role": "summary", "contenttype": "text/plain",
                          "value": entry.summary}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": page.body_html()}],
        "subjects": [{"name": tag.name} for tag in page.tags.all()],
        "places": [{"name": page.place}] if page.place else [],
        "copyrightholder": page.source if page.origin == "reprint" else settings.RONGMEI_SITE_NAME,
    }
    if page.author or page.reporter:
        item["by"] = page.author or page.reporter
    if entry.channel_id:
        item["genres"] = [{"name": entry.channel.name}]
    if entry.cover_id:
        rendition = entry.cover.get_rendition("max-1200x1200")
        item["renditions"] = [{"name": "cover", "href": absolute(rendition.url),
                               "contenttype": "image/jpeg", "width": rendition.width,
                               "height": rendition.height}]
    if page.correction_note:
        item["ednote"] = page.correction_note
    return item


def ninjs_feed(request):
    """The feed as one ninjs object: a ``composite`` item whose ``associations`` are the
    stories, each a full ninjs 2.0 item — no wrapper outside the standard."""
    channel, section = _channel_from(request), _section_from(request)
    entries = selectors.feed(channel=channel, section=section, size=FEED_SIZE).entries
    pages = {p.pk: p for p in Page.objects.filter(
        pk__in=[e.page_id for e in entries]).specific().prefetch_related("tags")}
    scope = channel.name if channel else (section.title if section else "最新新闻")
    newest = max((e.updated_at for e in entries), default=None)
    document = {
        "uri": absolute(reverse("news:ninjs") + feed_query(channel=channel, section=section)),
        "standard": NINJS_STANDARD,
        "type": "composite",
        "representationtype": "full",
        "language": CONTENT_LANGUAGE,
        "headlines": [{"role": "main", "value": f"{settings.RONGMEI_SITE_NAME} · {scope}"}],
        "copyrightholder": settings.RONGMEI_SITE_NAME,
        "associations": [ninjs_item(entry, pages.get(entry.page_id)) for entry in entries],
    }
    if newest is not None:
        document["versioncreated"] = newest.isoformat()
    body = json.dumps(document, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    if newest is not None:
        response["Last-Modified"] = http_date(newest.timestamp())
    response["Content-Language"] = CONTENT_LANGUAGE
    return mark_cacheable(_validated(request, response), seconds=120, tags=(LISTS,))
