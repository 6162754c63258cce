"""deploy/nginx.conf's micro-cache, run by the real nginx in front of a stand-in app.

The stand-in answers like the Django app does for an anonymous page (``Vary: Accept-Language,
Cookie``, the security headers, the elder mode from the ``rm_elder`` cookie), so what is
checked is nginx's reading of the deployed ``location /`` block: who shares a cached copy,
who never gets one, and which answers are never stored.
"""

from __future__ import annotations

import http.server
from concurrent.futures import ThreadPoolExecutor
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.http.cookie import parse_cookie

from bench import nginx
from rongmei.browser_testing import unavailable


class App(http.server.BaseHTTPRequestHandler):
    """Reads cookies as Django does (``parse_cookie``: the last of two same-named cookies,
    case-sensitive, ";" only) and answers as the app does: ``X-Rongmei-Viewer`` and
    ``Cache-Control: public, …, s-maxage=60`` for an anonymous page, ``private`` for a person;
    ``/certificate.pdf`` with no Cache-Control (a resident's file); ``/gone/`` answers 404
    once ``App.gone`` is set (a page taken down)."""

    protocol_version = "HTTP/1.1"
    served = 0  # requests that reached the app (class-wide: one server per test)
    gone = False

    def do_GET(self):
        type(self).served += 1
        cookies = parse_cookie(self.headers.get("Cookie", ""))
        personal = "sessionid" in cookies or self.headers.get("Authorization")
        elder = cookies.get("rm_elder") == "1"
        viewer = "person" if personal else ("anon-elder" if elder else "anon-std")
        body = f"{viewer} {self.path} #{type(self).served}".encode()
        gone = self.path == "/gone/" and type(self).gone
        if gone:
            time.sleep(0.3)  # the app takes a moment: other visitors arrive meanwhile
        self.send_response(404 if gone else 200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Language, Cookie")
        self.send_header("X-Frame-Options", "DENY")
        if self.path == "/certificate.pdf":
            self.send_header("Content-Type", "application/pdf")
        else:
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("X-Rongmei-Viewer", viewer)
            self.send_header("Cache-Control", "private, no-cache" if personal else
                             "public, max-age=0, s-maxage=60")
        if self.path == "/sets-cookie/":
            self.send_header("Set-Cookie", "csrftoken=fresh; Path=/")
        if self.path == "/compressed/":
            self.send_header("Content-Encoding", "gzip")  # not real gzip: never looked at
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def front(tmp_path):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        unavailable("nginx not found", "nginx")
    App.served, App.gone = 0, False
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    app.daemon_threads = True
    threading.Thread(target=app.serve_forever, daemon=True).start()
    try:
        with nginx.running(workdir=tmp_path, upstream_port=app.server_address[1],
                           static_size=10) as port:
            yield port
    finally:
        app.shutdown()
        app.server_close()


def get(port, path="/", status=200, **headers):
    answered, response_headers, body = nginx.fetch(port, path, headers)
    assert answered == status
    return {k.lower(): v for k, v in response_headers.items()}.get("x-micro-cache"), body.decode()


def test_returning_visitors_with_their_own_cookies_share_one_copy(front):
    first = get(front, Cookie="rm_device=aaa; csrftoken=one")
    assert first[0] == "MISS"
    for n in range(10):
        status, body = get(front, Cookie=f"rm_device=d{n}; csrftoken=t{n}; _ga=x{n}",
                           **{"Accept-Language": ["en", "zh-CN", "fr"][n % 3]})
        assert (status, body) == ("HIT", first[1])
    assert get(front) == ("HIT", first[1])  # and a first-time visitor with no cookie at all
    assert App.served == 1


def test_elder_and_standard_visitors_never_get_each_others_page(front):
    for _ in range(3):
        assert get(front, Cookie="rm_device=x")[1].startswith("anon-std")
        assert get(front, Cookie="rm_elder=1; rm_device=y")[1].startswith("anon-elder")
    assert App.served == 2


@pytest.mark.parametrize("odd", ["rm_elder=; rm_elder=1", "RM_ELDER=1", "a=b,rm_elder=1",
                                 "rm_elder=0; rm_elder=1", "rm_elder=1; rm_elder=0"])
def test_cookies_nginx_and_django_read_differently_never_cross_the_modes(front, odd):
    """nginx takes the first cookie of a name, in any case, and splits on "," too; Django
    takes the last, exactly. An answer rendered for the other mode is not stored."""
    get(front, Cookie=odd)
    assert get(front)[1].startswith("anon-std")
    assert get(front, Cookie="rm_elder=1")[1].startswith("anon-elder")
    assert get(front, Cookie="rm_elder=0")[1].startswith("anon-std")


def test_no_cookie_value_moves_a_page_under_another_address(front):
    """The key once ran URL and cookie together: ``/`` with ``rm_elder=news/x/`` was stored
    as ``/news/x/`` — anyone could hide an article behind the home page."""
    get(front, "/", Cookie="rm_elder=news/x/")
    assert get(front, "/news/x/")[1].startswith("anon-std /news/x/ ")
    get(front, "/wenzheng/?page=11")
    assert get(front, "/wenzheng/?page=1", Cookie="rm_elder=1")[1].startswith(
        "anon-elder /wenzheng/?page=1 ")


def test_a_file_fetched_with_a_hidden_session_is_not_stored(front):
    """``sessionid=; sessionid=<real>``: nginx sees an empty session and does not bypass,
    Django sees the real one. Only what the app marks public is stored."""
    get(front, "/certificate.pdf", Cookie="sessionid=; sessionid=real")
    status, _ = get(front, "/certificate.pdf")
    assert status == "MISS" and App.served == 2


def test_a_page_taken_down_answers_404_once_its_five_seconds_are_up(front):
    """Not the app's 60 s s-maxage, and no background refresh keeping the old copy alive."""
    assert get(front, "/gone/")[0] == "MISS"
    assert get(front, "/gone/")[0] == "HIT"
    App.gone = True
    time.sleep(6.1)  # nginx counts whole seconds: "5 s" ends within 6
    for _ in range(3):
        get(front, "/gone/", status=404)


def test_a_crowd_gets_the_404_too(front):
    """While one request asks the app, the others must not be answered with the old copy:
    a 404 is never stored, so "serve stale while updating" would serve it for ever."""
    get(front, "/gone/")
    App.gone = True
    time.sleep(6.1)
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: nginx.fetch(front, "/gone/")[0], range(8)))
        assert statuses == [404] * 8


@pytest.mark.parametrize("headers", [{"Cookie": "sessionid=abc"},
                                     {"Authorization": "Bearer abc"},
                                     {"Cookie": "messages=flash; rm_device=x"}])
def test_signed_in_visitors_and_waiting_messages_go_past_the_cache(front, headers):
    anonymous = get(front)[1]
    status, body = get(front, **headers)
    assert status == "BYPASS" and body != anonymous
    # and their answer was not stored for the next anonymous visitor
    assert get(front) == ("HIT", anonymous)


@pytest.mark.parametrize("path", ["/sets-cookie/", "/compressed/"])
def test_answers_that_set_a_cookie_or_are_compressed_are_never_stored(front, path):
    bodies = {get(front, path)[1] for _ in range(3)}
    assert len(bodies) == 3 and App.served == 3
