"""Page snapshots through the real nginx: deploy/nginx.conf's ``location /`` in front of the app.

The second anonymous visitor of a story in a five-second window gets the file the first one's
request wrote, with the app's own headers; nobody else does (a session, a POST, a query
string), no visitor gets another mode's page, and a story taken down answers 404 within the
window.
"""

from __future__ import annotations

import gzip
import io
import shutil
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from bench import nginx
from rongmei.browser_testing import unavailable
from rongmei.core import roles, snapshots

from .conftest import add_article

pytestmark = pytest.mark.django_db(transaction=True)

SNAPSHOT = "snapshot"
# How nginx carried the app's answer, not what the app said.
HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive", "x-micro-cache"}


def request(port, path, *, method="GET", headers=None):
    """``nginx.fetch`` with the header names in lower case."""
    status, answered, body = nginx.fetch(port, path, headers, method=method)
    return status, {name.lower(): value for name, value in answered.items()}, body


def fresh_window(seconds_left: float = 3.0) -> None:
    """Sleep into a new window unless this one has ``seconds_left``."""
    left = snapshots.bucket() + snapshots.SECONDS - time.time()
    if left < seconds_left:
        time.sleep(left + 0.05)


@pytest.fixture
def front(live_server, settings, tmp_path, newsroom):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        unavailable("nginx not found", "nginx")
    settings.PAGE_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1"  # nginx forwards Host: $host
    story = add_article(newsroom.center, title="白水镇羊肚菌喜获丰收", publish=True)
    include = io.StringIO()
    call_command("snapshot_nginx", "--path", story.url, stdout=include)
    upstream = int(live_server.url.rsplit(":", 1)[1])
    with nginx.running(workdir=tmp_path, upstream_port=upstream, static_size=10,
                       snapshots=(tmp_path / "snapshots", include.getvalue())) as port:
        yield port, story, tmp_path / "snapshots"


def test_the_second_visitor_gets_the_file_with_the_apps_headers(front):
    port, story, root = front
    fresh_window()
    status, first_headers, first = request(port, story.url)
    assert status == 200 and first_headers.get("x-page-cache") != SNAPSHOT
    assert "x-accel-expires" not in first_headers  # nginx keeps it to itself
    status, headers, body = request(port, story.url)
    assert status == 200 and headers["x-page-cache"] == SNAPSHOT
    assert body == first and "白水镇羊肚菌喜获丰收" in body.decode()
    for name, value in first_headers.items():
        if name not in snapshots.OWN_HEADERS | HOP_BY_HOP:
            assert headers.get(name) == value, name
    assert headers["content-type"] == snapshots.CONTENT_TYPE
    assert headers["cache-control"] == snapshots.CACHE_CONTROL
    assert headers["x-rongmei-viewer"] == "anon-std"
    # A phone asks for gzip: it gets the compressed copy the app wrote.
    status, headers, compressed = request(port, story.url, headers={"Accept-Encoding": "gzip"})
    assert headers["x-page-cache"] == SNAPSHOT and headers["content-encoding"] == "gzip"
    assert gzip.decompress(compressed) == first
    # HEAD too, and returning visitors with cookies the page does not depend on.
    assert request(port, story.url, method="HEAD")[1]["x-page-cache"] == SNAPSHOT
    assert request(port, story.url, headers={"Cookie": "rm_device=abc; csrftoken=x"}
                   )[1]["x-page-cache"] == SNAPSHOT


# (query string, method, headers) of requests that must never get the file.
OTHERS = {
    "session": ("", "GET", {"Cookie": "sessionid=abc"}),
    "flash": ("", "GET", {"Cookie": "messages=abc"}),
    "token": ("", "GET", {"Authorization": "Bearer abc"}),
    "query": ("?from=wechat", "GET", {}),
    "post": ("", "POST", {}),
    "cookie-pipe": ("", "GET", {"Cookie": "sessionid=|; messages=|"}),  # shifts nginx's gate
}
# Spellings nginx would tidy into the story's address: they look for no file and get what the
# app answers (through the micro-cache) for what nginx passes on.
UNTIDY = ("/{}", "{}x/../", "{}.", "{}%2F", "{}/")


def test_untidy_addresses_get_the_apps_answer(front):
    port, story, root = front
    fresh_window(seconds_left=4.0)
    request(port, story.url)
    assert request(port, story.url)[1]["x-page-cache"] == SNAPSHOT
    for spelling in UNTIDY:
        status, answered, _ = request(port, spelling.format(story.url))
        assert answered.get("x-page-cache") != SNAPSHOT, spelling
        assert status in (200, 301, 400, 404), (spelling, status)


def test_nobody_else_gets_the_file(front):
    port, story, root = front
    fresh_window(seconds_left=4.0)
    request(port, story.url)
    assert request(port, story.url)[1]["x-page-cache"] == SNAPSHOT
    for how, (query, method, headers) in OTHERS.items():
        status, answered, _ = request(port, story.url + query, method=method, headers=headers)
        assert answered.get("x-page-cache") != SNAPSHOT, how
        assert status != 405, how  # a POST reaches the app (its CSRF check), not nginx's files


def test_no_visitor_gets_another_modes_page(front):
    port, story, root = front
    fresh_window()
    # nginx reads the first rm_elder (empty: standard), Django the last (elder): the app
    # writes what it rendered under elder, never under standard.
    odd = {"Cookie": "rm_elder=; rm_elder=1"}
    assert b"rm-elder" in request(port, story.url, headers=odd)[2]
    status, headers, body = request(port, story.url)
    assert b"rm-elder" not in body
    elder = {"Cookie": "rm_elder=1"}
    status, headers, body = request(port, story.url, headers=elder)
    assert b"rm-elder" in body and headers["x-page-cache"] == SNAPSHOT
    assert headers["x-rongmei-viewer"] == "anon-elder"
    assert request(port, story.url)[1]["x-rongmei-viewer"] == "anon-std"


def test_a_story_taken_down_answers_404_within_the_window(front, make_user):
    port, story, root = front
    request(port, story.url)
    assert request(port, story.url)[1]["x-page-cache"] == SNAPSHOT
    console = Client()  # an administrator takes it down in the console (Wagtail's 取消发布)
    console.force_login(make_user(roles.ADMINISTRATOR))
    response = console.post(f"/admin/pages/{story.pk}/unpublish/")
    assert response.status_code == 302
    story.refresh_from_db()
    assert not story.live
    taken_down = time.monotonic()
    while request(port, story.url)[0] != 404:
        assert time.monotonic() - taken_down < snapshots.SECONDS + 1.5
        time.sleep(0.2)


def test_another_host_is_never_written(front):
    port, story, root = front
    request(port, story.url, headers={"Host": "evil.example"})
    assert not list(root.glob("s/*/*/evil.example"))
