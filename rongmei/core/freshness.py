"""Pages are never stale for the wrong person or mode: the HTTP caching of resident pages.

The same address shows different pages to different people: a signed-in resident sees
我的 where a visitor sees 登录, and 长辈模式 (a cookie) changes the type size. A browser or a
proxy that keeps one copy for everybody would show the visitor's copy after logging in, or
normal type after turning 长辈模式 on. So every HTML page says how it may be kept:

* A page the page cache marked public (the same for every anonymous visitor of one mode,
  ``rongmei.core.pagecache``) may be kept by shared caches (nginx's micro-cache, keyed by the
  mode cookie, for ``s-maxage``), but a browser must ask again each time (``max-age=0``):
  logging in or switching 长辈模式 changes its cookies, and the very next page must show it.
* Any other page (signed-in pages, forms, the login page) is ``private, no-cache``: only
  this browser may keep it, and only to revalidate.
* Both vary by ``Cookie``.

``X-Rongmei-Viewer`` says whom the page was made for (``anon-std``, ``anon-elder`` or
``person``); the service worker (``home/sw.js``) forgets the pages it kept for offline reading
as soon as it sees a page made for someone else, so a signed-in phone is never shown a
visitor's copy, nor an elder-mode phone a normal one.

This middleware sits outside ``AnonymousPageCacheMiddleware`` so that cache hits get the same
headers. Feeds, JSON, static and media files keep what their views said; one that says
nothing and was made for a signed-in person is ``private, no-store``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.cache import patch_vary_headers

from .context_processors import ELDER_COOKIE

VIEWER_HEADER = "X-Rongmei-Viewer"
_MAX_AGE = re.compile(r"(?<![-\w])max-age=(\d+)")
SKIPPED_PREFIXES = ("/static/", "/media/", "/api/")


def viewer_of(request) -> str:
    """Whom a page for this request is made for: a person, or a visitor in one of the modes."""
    user = getattr(request, "user", None)
    if (user is not None and user.is_authenticated) or \
            settings.SESSION_COOKIE_NAME in request.COOKIES:
        return "person"
    return "anon-elder" if request.COOKIES.get(ELDER_COOKIE) == "1" else "anon-std"


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class PageFreshnessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(SKIPPED_PREFIXES):
            return response
        if not _is_html(response):
            # A file made for a person (a certificate PDF, an export) that says nothing about
            # caching must not be kept by a shared cache: nginx may not have seen the session
            # (two same-named cookies), but the app did.
            if "Cache-Control" not in response and viewer_of(request) == "person":
                response["Cache-Control"] = "private, no-store"
            return response
        response[VIEWER_HEADER] = viewer_of(request)
        patch_vary_headers(response, ["Cookie"])
        cache_control = response.get("Cache-Control", "")
        directives = {part.strip().split("=")[0] for part in cache_control.split(",")}
        if "public" in directives:
            match = _MAX_AGE.search(cache_control)
            seconds = int(match.group(1)) if match else 0
            response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
        elif not directives & {"private", "no-store"}:
            response["Cache-Control"] = "private, no-cache"
        return response
