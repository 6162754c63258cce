"""Whole-page cache for anonymous visitors, answered before sessions or routing run.

A view opts in with ``mark_cacheable(response, seconds=N)``. The middleware stores the
rendered bytes under (content version, host, path, query, elder mode), and later anonymous
GETs for the same key are answered from the cache with no database query. Anything that
changes what pages show calls ``invalidate_all()``, which bumps the content version.

A request is "anonymous" when it carries no session cookie, no Authorization header and no
pending flash messages; signed-in residents always get a fresh page.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from .context_processors import ELDER_COOKIE

VERSION_KEY = "pagecache:version"
_ATTR = "_rongmei_cache_seconds"


def mark_cacheable(response, *, seconds: int):
    setattr(response, _ATTR, seconds)
    return response


# The content version is read at every anonymous GET; each process keeps it for a second
# (VERSION_SECONDS) instead of asking the cache every time. A change published elsewhere
# shows within that second; in the process that published it, at once.
VERSION_SECONDS = 1.0
_local_version: list = [None, 0.0]  # [version, read at (monotonic)]


def invalidate_all() -> None:
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, timeout=None)
        version = 1
    _local_version[:] = [version, time.monotonic()]


def _current_version():
    version, read_at = _local_version
    if version is not None and time.monotonic() - read_at < VERSION_SECONDS:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    _local_version[:] = [version, time.monotonic()]
    return version


def _is_anonymous(request) -> bool:
    cookies = request.COOKIES
    return (settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies
            and "HTTP_AUTHORIZATION" not in request.META)


def _key(request, version) -> str:
    raw = "|".join([
        str(version), request.get_host(), request.path, request.META.get("QUERY_STRING", ""),
        "elder" if request.COOKIES.get(ELDER_COOKIE) == "1" else "std",
    ])
    return "pagecache:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


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
        key = _key(request, _current_version())
        hit = cache.get(key)
        if hit is not None:
            content, content_type, seconds = hit
            response = HttpResponse(content, content_type=content_type)
            response["Cache-Control"] = f"public, max-age={min(seconds, 60)}"
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        seconds = getattr(response, _ATTR, None)
        if (seconds and response.status_code == 200 and not response.cookies
                and not response.streaming):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (response.content, response["Content-Type"], seconds), seconds)
            response["Cache-Control"] = f"public, max-age={min(seconds, 60)}"
            response["X-Page-Cache"] = "miss"
        return response
