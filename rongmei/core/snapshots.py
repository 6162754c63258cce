"""Page snapshots: anonymous pages that nginx serves as plain files, for five seconds at most.

nginx's micro-cache answers a crowd's anonymous requests without the app, but a cache hit still
costs nginx about a third more than sending a file (cache lookup, reading and re-parsing the
stored headers). For a gala's crowd on the home page and a handful of stories, the app also
writes each anonymous page it renders as a file, and nginx sends that file (``try_files``) to
every anonymous visitor of the same address and mode until the five-second window it was
written in ends.

The window is the wall clock's (``SECONDS``): files live in a directory named after the window's
first second, and nginx looks only in the current window's directory (``$msec`` mapped to
``$rongmei_snapshot_bucket`` in deploy/nginx.conf). So a snapshot is never served more than
``SECONDS`` after it was written, whatever happens to the app — a story taken down answers 404
within about six seconds (the window, plus the second other processes may keep reading an old
page-cache version), as with the micro-cache — and nothing needs to delete files on time.
The app and nginx must share the clock and the directory: app processes on nginx's machine.
The micro-cache copy of the same answer is told to expire with the window
(``X-Accel-Expires``), so at the window's end the next request reaches the app and writes the
next window's file.

What is written is exactly what the micro-cache may store, checked by the app that knows:
a GET with no query string, no session, no token and no flash message (as nginx reads cookies
too), for the site's own host (``BASE_URL``), at a plain address the app itself links to
(``/news/some-story/``, not ``/live/01/``); a 200 HTML answer that the page cache marked public,
rendered while nothing it shows changed, that sets no cookie and is not compressed. Each file
sits under the mode the app rendered (std or elder). A visitor whose own odd cookies nginx
reads differently from Django (``RM_ELDER=1``) gets the mode nginx read; nobody else's page
changes. One process writes each file once per window and at most ``MAX_PER_WINDOW`` files.

nginx sends a file with headers of its own, so the headers the app gives an anonymous page
(the security headers, Vary, Content-Language) are written into nginx's configuration by
``rongmei snapshot_nginx``, together with an identifier of that header set. Files are written
under the identifier of the headers their answer really had; an nginx whose configuration
predates an upgrade that changed a header looks under the old identifier, finds nothing and
passes the request to the app: a snapshot is never sent with headers other than its own.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from .freshness import VIEWER_HEADER, viewer_of
from .pagecache import CHANGED_WHILE_RENDERED, _is_anonymous

logger = logging.getLogger(__name__)

SECONDS = 5  # deploy/nginx.conf's $rongmei_snapshot_bucket map uses the same window
CONTENT_TYPE = "text/html; charset=utf-8"  # what nginx's "default_type; charset" sends
CACHE_CONTROL = f"public, max-age=0, s-maxage={SECONDS}"
SERVED_HEADER = ("X-Page-Cache", "snapshot")
# Headers nginx makes itself for a file, or that the configuration sets for each window or
# visitor: not part of a header set.
OWN_HEADERS = frozenset({
    "date", "server", "content-length", "content-type", "cache-control", "etag",
    "last-modified", "accept-ranges", "x-page-cache", "x-request-id", "x-accel-expires",
    VIEWER_HEADER.lower(),
})
# A plain address: segments of letters, digits, "-" and "_", ending with "/" (every Wagtail
# page's address). Anything else (dots, escapes, Chinese slugs) is left to the micro-cache.
_PLAIN_PATH = re.compile(r"/(?:[A-Za-z0-9_-]+/)*\Z")
# What an nginx "add_header" value can carry inside double quotes, as written.
_PLAIN_VALUE = re.compile(r"[ -!#-\[\]-~]*\Z")  # printable ASCII without " \ and $ …
_MODES = {"anon-std": "std", "anon-elder": "elder"}
# Files one process writes in one window at most: a crowd reads a few hundred pages, and
# someone requesting endless distinct addresses cannot fill the disk (the rest are answered
# through the micro-cache as before).
MAX_PER_WINDOW = 1000
_written: dict = {"window": 0, "files": set()}  # this process's files of the current window


def directory() -> Path | None:
    configured = getattr(settings, "PAGE_SNAPSHOT_DIR", "")
    return Path(configured) if configured else None


def site_host() -> str:
    return (urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "").lower()


def bucket(now: float | None = None) -> int:
    """The first second of the window ``now`` falls in."""
    seconds = int(time.time() if now is None else now)
    return seconds - seconds % SECONDS


def header_set(response) -> list[tuple[str, str]] | None:
    """The headers nginx must add to a file to answer as the app did, or None when some value
    cannot be written into nginx's configuration as it is."""
    headers = sorted((name, value) for name, value in response.items()
                     if name.lower() not in OWN_HEADERS)
    if any(not _PLAIN_VALUE.match(value) or "$" in value for _, value in headers):
        return None
    return headers


def set_id(headers: list[tuple[str, str]]) -> str:
    raw = "\n".join(f"{name.lower()}: {value}" for name, value in headers)
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def nginx_include(headers: list[tuple[str, str]]) -> str:
    """The lines for deploy/nginx.conf's ``include /etc/nginx/rongmei_snapshot.conf``."""
    lines = [
        "# Generated by `rongmei snapshot_nginx`: the headers the app sends with an anonymous",
        "# page. Generate it again after every upgrade and reload nginx; until then the new",
        "# pages are answered through the micro-cache.",
        f"set $rongmei_snapshot_set {set_id(headers)};",
        f'add_header Cache-Control "{CACHE_CONTROL}";',
        f'add_header {VIEWER_HEADER} "anon-$rongmei_mode";',
        f'add_header {SERVED_HEADER[0]} "{SERVED_HEADER[1]}";',
    ]
    lines += [f'add_header {name} "{value}";' for name, value in headers]
    return "\n".join(lines) + "\n"


def _request_mode(request) -> str | None:
    if (request.method != "GET" or request.META.get("QUERY_STRING")
            or not _is_anonymous(request) or _nginx_sees_a_person(request)
            or not _PLAIN_PATH.match(request.path)):
        return None
    try:
        host = request.get_host()
    except DisallowedHost:  # answered 400 by the view
        return None
    if urlsplit(f"//{host}").hostname != site_host():
        return None
    return _MODES.get(viewer_of(request))


def _nginx_sees_a_person(request) -> bool:
    """Whether nginx's gate would send this request past the files (it reads cookie names in
    any case and "," as a separator too): such requests always reach the app, so writing a
    file for each would let anyone spend the window's budget."""
    raw = request.META.get("HTTP_COOKIE", "")
    if "," in raw:
        return True
    names = {part.split("=", 1)[0].strip().lower() for part in raw.split(";")}
    return bool(names & {settings.SESSION_COOKIE_NAME.lower(), "messages"})


def _canonical(request) -> bool:
    """Whether the address is the one the app itself links to (``/live/01/`` is not
    ``/live/1/``): endless spellings of one page are never written."""
    try:  # a page-cache hit is answered before routing: resolved here
        match = getattr(request, "resolver_match", None) or resolve(request.path_info)
        return reverse(match.view_name, args=match.args, kwargs=match.kwargs) == request.path
    except (Resolver404, NoReverseMatch):
        return False


def _public(response) -> bool:
    """A 200 the page cache marked public: what the micro-cache may keep."""
    return response.status_code == 200 and "public" in response.get("Cache-Control", "")


def snapshot_headers(response, mode: str):
    if (not _public(response) or response.streaming or response.cookies
            or response.get("Content-Type") != CONTENT_TYPE
            or response.has_header("Content-Encoding")
            or _MODES.get(response.get(VIEWER_HEADER)) != mode):
        return None
    return header_set(response)


class PageSnapshotMiddleware:
    """Writes snapshots (outside every middleware that sets a header, so it sees them all)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        root = directory()
        if root is None:
            return self.get_response(request)
        mode = _request_mode(request)
        response = self.get_response(request)
        window = bucket()
        if _public(response):
            # Every copy the micro-cache may keep ends with the window (nginx keeps one
            # through the whole second it names), whoever asked: the next window's first
            # request reaches the app and writes the next file.
            response["X-Accel-Expires"] = f"@{window + SECONDS - 1}"
        if mode is None:
            return response
        headers = snapshot_headers(response, mode)
        if headers is None or getattr(response, CHANGED_WHILE_RENDERED, False):
            return response
        if _written["window"] != window:
            _written.update(window=window, files=set())
        name = (str(root), set_id(headers), mode, request.path)
        if name in _written["files"] or len(_written["files"]) >= MAX_PER_WINDOW:
            return response  # this window's file already (nginx sends it), or over budget
        if not _canonical(request):
            return response
        _written["files"].add(name)
        try:
            write(root, name[1], window, site_host(), mode, request.path, response.content)
        except OSError:  # a full disk costs speed, never the page
            logger.exception("page snapshot not written: %s", request.path)
        return response


def path_of(root: Path, set_name: str, window: int, host: str, mode: str, path: str) -> Path:
    """Where nginx looks: ``s/<header set>/<window>/<host>/<mode><path>index.html``."""
    return root / "s" / set_name / str(window) / host / mode / path.lstrip("/") / "index.html"


def write(root: Path, set_name: str, window: int, host: str, mode: str, path: str,
          content: bytes) -> Path:
    target = path_of(root, set_name, window, host, mode, path)
    window_dir = root / "s" / set_name / str(window)
    new_window = not window_dir.exists()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    staging = root / "tmp"
    staging.mkdir(exist_ok=True, mode=0o755)
    # The compressed copy first (nginx's gzip_static sends it to every phone, which all ask
    # for gzip, instead of compressing the page again for each), then the page itself.
    _put(staging, target.with_name(target.name + ".gz"),
         gzip.compress(content, compresslevel=6, mtime=0))
    _put(staging, target, content)
    if new_window:
        sweep(root, window)
    return target


def _put(staging: Path, target: Path, content: bytes) -> None:
    """Write ``target`` whole or not at all (nginx may be reading the previous one)."""
    descriptor, temporary = tempfile.mkstemp(dir=staging)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, 0o644)  # nginx's workers read it
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sweep(root: Path, window: int) -> None:
    """Remove the windows before the previous one (a file nginx is sending stays readable
    after its name is gone), under every header set."""
    sets = root / "s"
    trash = root / "trash"
    for set_dir in sets.iterdir() if sets.is_dir() else ():
        for window_dir in set_dir.iterdir():
            if window_dir.name.isdigit() and int(window_dir.name) < window - SECONDS:
                trash.mkdir(exist_ok=True, mode=0o755)
                try:  # one process wins the rename; the others find it gone
                    os.replace(window_dir, trash / uuid.uuid4().hex)
                except OSError:
                    continue
        try:
            set_dir.rmdir()  # a header set no longer written
        except OSError:
            pass
    if trash.is_dir():
        shutil.rmtree(trash, ignore_errors=True)
