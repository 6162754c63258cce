"""Whole-page cache for anonymous visitors, answered before sessions or routing run.

A view opts in with ``mark_cacheable(response, seconds=N, tags=(...))``. The middleware
stores the rendered bytes under (host, path, query, elder mode) together with the *tags*
the page depends on and each tag's version at that moment; later anonymous GETs for the
same key are answered from the cache with no database query while every tag still has
that version. A change bumps only the tags of what it touched (``invalidate(*tags)``):
approving a comment on one story bumps ``page_tag(story)``, so the home page and every
other story stay cached; publishing a story bumps the story, ``LISTS`` and its channel.
Every page also depends on ``ALL``, which ``invalidate_all()`` bumps (changes with no
narrower tag: a campaign, a merchant, the site's settings).

A tag's version is a random token kept in the shared cache without expiry; a tag missing
there (evicted, flushed) gets a new token at its next read, so a page stored under a
forgotten version can never be served again.

A request is "anonymous" when it carries no session cookie, no Authorization header and no
pending flash messages; signed-in residents always get a fresh page.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from .context_processors import ELDER_COOKIE

_ATTR = "_rongmei_cache_seconds"
CHANGED_WHILE_RENDERED = "_rongmei_changed_while_rendered"
_TAGS_ATTR = "_rongmei_cache_tags"
TAG_PREFIX = "pagecache:tag:"
ALL = "all"  # every cached page depends on it
LISTS = "lists"  # pages listing stories: home, 新闻, sections, feeds


def page_tag(page_id) -> str:
    """Pages showing one page's own content (the story, its comments, a 专题 listing it)."""
    return f"page:{page_id}"


def channel_tag(channel_id) -> str:
    """Pages listing one channel's newest stories (a story's 相关 stories)."""
    return f"channel:{channel_id}"


def mark_cacheable(response, *, seconds: int, tags=()):
    setattr(response, _ATTR, seconds)
    setattr(response, _TAGS_ATTR, tuple(tags))
    return response


# Tag versions are read at every anonymous GET; each process keeps a version it read for a
# second (VERSION_SECONDS) instead of asking the cache every time. A change published
# elsewhere shows within that second; in the process that published it, at once.
VERSION_SECONDS = 1.0
_local: dict[str, tuple[str, float]] = {}  # tag → (version, read at (monotonic))


def invalidate(*tags: str) -> None:
    """Make every cached page depending on any of ``tags`` stale."""
    now = time.monotonic()
    for tag in dict.fromkeys(tags):
        token = f"{time.time():.6f}:{uuid.uuid4().hex[:8]}"  # when, for _changed_since
        cache.set(TAG_PREFIX + tag, token, timeout=None)
        _local[tag] = (token, now)


def invalidate_all() -> None:
    invalidate(ALL)


def invalidate_on_commit(*tags: str) -> None:
    """``invalidate`` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: invalidate(*tags))


def tag_versions(tags, *, fresh: bool = False) -> dict[str, str]:
    """Current version of each tag (this process's copy if under VERSION_SECONDS old,
    unless ``fresh``)."""
    now = time.monotonic()
    versions, missing = {}, []
    for tag in tags:
        known = _local.get(tag)
        if not fresh and known is not None and now - known[1] < VERSION_SECONDS:
            versions[tag] = known[0]
        else:
            missing.append(tag)
    if missing:
        found = cache.get_many([TAG_PREFIX + tag for tag in missing])
        for tag in missing:
            token = found.get(TAG_PREFIX + tag)
            if token is None:  # never bumped, or forgotten: a new identity, not a change
                token = f"0:{uuid.uuid4().hex[:8]}"
                if not cache.add(TAG_PREFIX + tag, token, timeout=None):
                    token = cache.get(TAG_PREFIX + tag, token)
            versions[tag] = token
            _local[tag] = (token, now)
    return versions


def _changed_since(versions: dict[str, str], started: float) -> bool:
    """Whether a tag was bumped while the page was being rendered: such a page may show the
    old content under the new version, so it is not stored."""
    for token in versions.values():
        when, _, _ = token.partition(":")
        try:
            if float(when) >= started:
                return True
        except ValueError:
            return True
    return False


def _is_anonymous(request) -> bool:
    cookies = request.COOKIES
    return (settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies
            and "HTTP_AUTHORIZATION" not in request.META)


def _key(request) -> str:
    raw = "|".join([
        request.get_host(), request.path, request.META.get("QUERY_STRING", ""),
        "elder" if request.COOKIES.get(ELDER_COOKIE) == "1" else "std",
    ])
    return "pagecache:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


# Headers a hit answers with as the view did: validators for conditional GET (feed readers
# poll with If-None-Match / If-Modified-Since), the content's language and what it varies on
# (a hit and a miss answer with the same headers: page snapshots are keyed by them).
KEPT_HEADERS = ("ETag", "Last-Modified", "Content-Language", "Vary")


def conditional(request, response):
    """``response``, or 304 Not Modified when the request's validators match its ETag or
    Last-Modified (RFC 9110 §13). Used by the views that set validators and by cache hits."""
    last_modified = parse_http_date_safe(response.get("Last-Modified", "") or "")
    return get_conditional_response(request, etag=response.get("ETag"),
                                    last_modified=last_modified, response=response)


# Paths that never opt in: answered without a cache lookup.
NEVER_CACHED_PREFIXES = ("/api/", "/admin/", "/static/", "/media/", "/_hello", "/healthz",
                         "/readyz", "/metrics")


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method not in ("GET", "HEAD") or request.path.startswith(NEVER_CACHED_PREFIXES)
                or not _is_anonymous(request)):
            return self.get_response(request)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type, seconds, kept, versions = hit
            if tag_versions(versions) == versions:
                response = HttpResponse(content, content_type=content_type)
                for name, value in kept.items():
                    response[name] = value
                response["Cache-Control"] = f"public, max-age={min(seconds, 60)}"
                response["X-Page-Cache"] = "hit"
                return conditional(request, response)
        started = time.time()
        response = self.get_response(request)
        seconds = getattr(response, _ATTR, None)
        if (seconds and response.status_code == 200 and not response.cookies
                and not response.streaming):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            # The tags are known once the view ran, so their versions are read after it, from
            # the shared cache; one bumped since the view started means the page may be
            # older than its versions: not stored.
            versions = tag_versions((ALL, *getattr(response, _TAGS_ATTR, ())), fresh=True)
            if not _changed_since(versions, started):
                cache.set(key, (response.content, response["Content-Type"], seconds, kept,
                                versions), seconds)
            else:
                setattr(response, CHANGED_WHILE_RENDERED, True)  # nor kept as a snapshot
            response["Cache-Control"] = f"public, max-age={min(seconds, 60)}"
            response["X-Page-Cache"] = "miss"
        return response
