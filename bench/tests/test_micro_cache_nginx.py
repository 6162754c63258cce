"""deploy/nginx.conf's micro-cache, run by the real nginx in front of a stand-in app.

The stand-in answers like the Django app does for an anonymous page (``Vary: Accept-Language,
Cookie``, the security headers, the elder mode from the ``rm_elder`` cookie), so what is
checked is nginx's reading of the deployed ``location /`` block: who shares a cached copy,
who never gets one, and which answers are never stored.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from bench import nginx
from rongmei.browser_testing import browser_required


class App(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served = 0  # requests that reached the app (class-wide: one server per test)

    def do_GET(self):
        type(self).served += 1
        cookies = SimpleCookie(self.headers.get("Cookie", ""))
        personal = "sessionid" in cookies or self.headers.get("Authorization")
        elder = cookies.get("rm_elder") and cookies["rm_elder"].value == "1"
        body = ("personal " if personal else "anonymous ") + ("elder" if elder else "standard")
        body = f"{body} #{type(self).served}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Language, Cookie")
        self.send_header("X-Frame-Options", "DENY")
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
        if browser_required():
            pytest.fail("nginx not found (RONGMEI_REQUIRE_BROWSER=1, so this is an error)",
                        pytrace=False)
        pytest.skip("nginx not found; run `make system`")
    App.served = 0
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


def get(port, path="/", **headers):
    status, response_headers, body = nginx.fetch(port, path, headers)
    assert status == 200
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
        assert get(front, Cookie="rm_device=x")[1].startswith("anonymous standard")
        assert get(front, Cookie="rm_elder=1; rm_device=y")[1].startswith("anonymous elder")
    assert App.served == 2


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
