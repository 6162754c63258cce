"""Page snapshots (rongmei.core.snapshots): which answers become files nginx sends, where, with
which headers, and for how long — through the same requests a visitor makes."""

from __future__ import annotations

import gzip
import io
import time

import pytest
from django.core.management import call_command
from django.test import Client

from rongmei.core import snapshots

from .conftest import add_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings, tmp_path, newsroom):
    settings.PAGE_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    settings.WAGTAILADMIN_BASE_URL = "https://testserver"
    folder = newsroom.center
    story = add_article(folder, title="荷塘镇莲子丰收节开幕", channel=newsroom.channel, publish=True)
    return newsroom, story, tmp_path / "snapshots"


def written(root):
    return sorted(path for path in root.rglob("index.html")) if root.exists() else []


def snapshot_of(root, response, mode, path):
    headers = snapshots.snapshot_headers(response, mode)
    assert headers is not None, dict(response.items())
    window = int(response["X-Accel-Expires"].lstrip("@")) - snapshots.SECONDS + 1
    return snapshots.path_of(root, snapshots.set_id(headers), window, "testserver", mode, path)


def test_an_anonymous_story_is_written_as_the_file_of_its_window(site, client):
    newsroom, story, root = site
    before = snapshots.bucket()
    response = client.get(story.url)
    assert response.status_code == 200
    expires = int(response["X-Accel-Expires"].lstrip("@"))
    # The window's last second (nginx keeps a copy through the second it names).
    assert expires - snapshots.SECONDS + 1 in (before, snapshots.bucket())
    path = snapshot_of(root, response, "std", story.url)
    assert path.read_bytes() == response.content
    assert oct(path.stat().st_mode & 0o777) == "0o644"  # nginx's workers read it
    compressed = path.with_name("index.html.gz")  # for nginx's gzip_static
    assert gzip.decompress(compressed.read_bytes()) == response.content
    assert oct(compressed.stat().st_mode & 0o777) == "0o644"

    elder = Client()
    elder.cookies["rm_elder"] = "1"
    response = elder.get(story.url)
    elder_path = snapshot_of(root, response, "elder", story.url)
    assert elder_path.read_bytes() == response.content
    assert b"rm-elder" in elder_path.read_bytes() and b"rm-elder" not in path.read_bytes()
    assert "/elder/" in str(elder_path) and "/std/" in str(path)


@pytest.mark.parametrize("how", ["signed-in", "session-cookie", "flash", "token", "query",
                                 "post", "other-host", "missing", "dotted", "session-upper",
                                 "flash-upper", "comma", "leading-zero"])
def test_nothing_personal_or_unusual_is_written(site, client, make_user, how):
    newsroom, story, root = site
    url, extra = story.url, {}
    if how == "signed-in":
        client.force_login(make_user())
    elif how == "session-cookie":
        client.cookies["sessionid"] = "not-a-session"
    elif how == "flash":
        client.cookies["messages"] = "a-message"
    elif how == "token":
        extra["HTTP_AUTHORIZATION"] = "Bearer x"
    elif how == "query":
        url += "?from=wechat"
    elif how == "other-host":
        extra["HTTP_HOST"] = "evil.example"
    elif how == "missing":
        url = "/news/no-such-story/"
    elif how == "dotted":
        url = story.url.rstrip("/") + ".html/"
    elif how in ("session-upper", "flash-upper", "comma"):
        # nginx reads these as a person (names in any case, "," a separator too) and always
        # passes them to the app: a file for each would spend the window's budget.
        extra["HTTP_COOKIE"] = {"session-upper": "SESSIONID=x", "flash-upper": "Messages=x",
                                "comma": "a=b, sessionid=x"}[how]
    elif how == "leading-zero":  # the app answers it, but links to /engage/pages/<id>/…
        url = f"/engage/pages/0{story.pk}/comments/"
        client.get(url)  # rendered once: now a page-cache hit, answered before routing
        client.get(f"/engage/pages/{story.pk}/comments/")
    response = client.post(url) if how == "post" else client.get(url, **extra)
    assert response.status_code in (200, 302, 400, 403, 404, 405)
    if how == "leading-zero":
        assert response.status_code == 200  # else this case checks nothing
        assert client.get(f"/engage/pages/{story.pk}/comments/").status_code == 200
        assert len(written(root)) == 1  # the address the app links to
        return
    assert written(root) == []
    # A public answer nginx may keep (these reach its micro-cache) ends with the
    # window all the same, so it cannot keep the next window's first request from the app.
    if response.status_code == 200 and "public" in response.get("Cache-Control", ""):
        assert how in ("query", "comma", "other-host", "dotted", "session-upper",
                       "flash-upper"), how
        window = int(response["X-Accel-Expires"].lstrip("@")) - snapshots.SECONDS + 1
        assert window % snapshots.SECONDS == 0
    else:
        assert "X-Accel-Expires" not in response


def test_off_unless_configured(site, client, settings):
    newsroom, story, root = site
    settings.PAGE_SNAPSHOT_DIR = ""
    response = client.get(story.url)
    assert response.status_code == 200 and "X-Accel-Expires" not in response  # as before
    assert written(root) == []


def test_home_lists_and_stories_share_one_header_set_that_the_command_prints(site, client):
    newsroom, story, root = site
    ids = set()
    for url in ("/", newsroom.index.url, story.url) * 2:  # rendered, then from the page cache
        response = client.get(url, HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200, url
        ids.add(snapshots.set_id(snapshots.snapshot_headers(response, "std")))
    assert len(ids) == 1
    out = io.StringIO()
    call_command("snapshot_nginx", stdout=out)
    include = out.getvalue()
    assert f"set $rongmei_snapshot_set {ids.pop()};" in include
    for name, value in snapshots.snapshot_headers(response, "std"):
        assert f'add_header {name} "{value}";' in include
    assert "Content-Security-Policy" in include and "X-Frame-Options" in include


def test_the_command_refuses_a_page_that_cannot_be_a_snapshot(site):
    with pytest.raises(Exception, match="不是可以存为快照的公开页面"):
        call_command("snapshot_nginx", "--path", "/login/", stdout=io.StringIO())


def test_a_header_nginx_cannot_carry_as_written_means_no_snapshot():
    from django.http import HttpResponse

    for value in ('a"b', "a\\b", "$host"):
        response = HttpResponse("x")
        response["X-Odd"] = value
        assert snapshots.header_set(response) is None, value


def test_windows_before_the_previous_one_are_swept(tmp_path):
    now = snapshots.bucket()
    for window in (now - 15, now - 10, now - 5):
        snapshots.write(tmp_path, "old", window, "h", "std", "/a/", b"x")
    kept = snapshots.write(tmp_path, "new", now, "h", "std", "/a/", b"y")
    left = sorted(str(path.relative_to(tmp_path)) for path in written(tmp_path))
    assert left == [f"s/new/{now}/h/std/a/index.html", f"s/old/{now - 5}/h/std/a/index.html"]
    assert kept.read_bytes() == b"y"
    assert not (tmp_path / "trash").exists()


def test_a_full_disk_costs_the_file_not_the_page(site, client, monkeypatch):
    newsroom, story, root = site

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshots, "write", full)
    response = client.get(story.url)
    assert response.status_code == 200 and written(root) == []
    assert "荷塘镇莲子丰收节开幕" in response.content.decode()


def test_window_is_the_wall_clock_five_seconds():
    assert snapshots.bucket(1733241601.9) == 1733241600
    assert snapshots.bucket(1733241605.0) == 1733241605
    assert snapshots.bucket(time.time()) % 5 == 0


def test_one_process_writes_at_most_max_per_window(site, client, monkeypatch):
    newsroom, story, root = site
    window = snapshots.bucket()
    monkeypatch.setattr(snapshots, "bucket", lambda now=None: window)  # no window ends here
    monkeypatch.setattr(snapshots, "MAX_PER_WINDOW", 2)
    monkeypatch.setitem(snapshots._written, "window", window)
    monkeypatch.setitem(snapshots._written, "files", {("elsewhere",)})
    assert client.get(story.url).status_code == 200
    first = written(root)
    assert len(first) == 1
    mtime = first[0].stat().st_mtime_ns
    assert client.get(story.url).status_code == 200  # this window's file already: kept
    assert first[0].stat().st_mtime_ns == mtime
    assert client.get("/").status_code == 200  # over the budget
    assert written(root) == first
