"""End to end on loopback: nginx-rtmp + the app + an ffmpeg test source pushing RTMP.

A wrong key (and another room's key) is refused within 2 s; with the room's key the room
turns 直播中, ``index.m3u8`` appears within 5 s and its segments are H.264; when the push
ends the room turns 已结束 and a replay story is produced from the recording. Every process
started here is killed in ``finally``; the whole test takes well under half a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from rongmei.core import roles

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("ffmpeg") or not shutil.which("nginx")
                       or not Path("/usr/lib/nginx/modules/ngx_rtmp_module.so").is_file(),
                       reason="needs ffmpeg, nginx and libnginx-mod-rtmp (scripts/ensure-system.sh)"),
]


def free_port(env_name: str) -> int:
    if os.environ.get(env_name):
        return int(os.environ[env_name])
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def push(rtmp_port: int, stream: str, key: str, seconds: float) -> subprocess.Popen:
    """An ffmpeg test source (colour bars and a tone) pushed in real time."""
    return subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
         "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
         "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac", "-b:a", "64k",
         "-f", "flv", f"rtmp://127.0.0.1:{rtmp_port}/live/{stream}?key={key}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read()
    except OSError:
        return None


def wait_for(condition, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


def kill(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def stage(live_server, settings, tmp_path, make_user):
    from rongmei.home.services import ensure_resident_site
    from rongmei.live.services.rooms import room_create
    from rongmei.news.services import ensure_newsroom, ensure_section

    ensure_resident_site()
    ensure_newsroom()
    ensure_section(None)
    settings.LIVE_RECORD_DIR = tmp_path / "recordings"
    settings.LIVE_END_GRACE_SECONDS = 0
    editor = make_user(roles.EDITOR, name="直播编辑")
    starts = timezone.now() + timedelta(minutes=5)
    room = room_create(actor=editor, title="莲花节开幕式晚会", starts_at=starts,
                       intro="莲乡莲花节开幕式现场直播")
    other = room_create(actor=editor, title="另一场直播", starts_at=starts)
    return {"url": live_server.url, "room": room, "other": other, "prefix": tmp_path / "nginx"}


def test_rtmp_push_goes_live_plays_as_hls_and_ends_in_a_replay_story(stage):
    from rongmei.live.mediaserver import MediaServer, MediaServerConfig
    from rongmei.live.models import IngestEvent, LiveRoom, ReplayStatus, RoomState
    from rongmei.live.services.rooms import stream_key
    from rongmei.news.models import VideoPage

    room, other = stage["room"], stage["other"]
    rtmp_port, http_port = free_port("LIVE_TEST_RTMP_PORT"), free_port("LIVE_TEST_HTTP_PORT")
    config = MediaServerConfig(prefix=stage["prefix"], rtmp_port=rtmp_port, http_port=http_port,
                               callback=f"{stage['url']}/live/media-hooks/nginx-rtmp",
                               hls_fragment="1s", hls_playlist="4s", relay=False)
    server = MediaServer(config)
    pusher = None
    try:
        server.start()
        fetch(f"{stage['url']}/live/")  # a warm app, as in production: imports done

        # A wrong key, and the key of another room, are refused within 2 s: the time from
        # starting ffmpeg to its exit, less what the same ffmpeg takes to start and give up
        # on a port where nothing listens (its own start-up, which a loaded machine slows).
        started = time.monotonic()
        pusher = push(free_port("LIVE_TEST_CLOSED_PORT"), room.stream_name, "x", seconds=10)
        pusher.wait(timeout=10)
        startup = time.monotonic() - started
        for key in ("not-the-key", stream_key(other)):
            started = time.monotonic()
            pusher = push(rtmp_port, room.stream_name, key, seconds=10)
            pusher.wait(timeout=10)
            assert time.monotonic() - started - startup < 2.0
            assert pusher.returncode != 0
        refusals = IngestEvent.objects.filter(stream_name=room.stream_name, accepted=False)
        assert [e.code for e in refusals] == ["wrong_stream_key", "wrong_stream_key"]
        assert LiveRoom.objects.get(pk=room.pk).state == RoomState.SCHEDULED

        # The room's own key: 直播中, and HLS within 5 s, H.264 segments.
        started = time.monotonic()
        pusher = push(rtmp_port, room.stream_name, stream_key(room), seconds=20)
        playlist_url = f"http://127.0.0.1:{http_port}/hls/{room.stream_name}/index.m3u8"
        playlist = wait_for(lambda: fetch(playlist_url), timeout=5)
        assert playlist is not None, "index.m3u8 did not appear within 5 s"
        assert time.monotonic() - started < 5.0
        live = LiveRoom.objects.get(pk=room.pk)
        assert live.state == RoomState.LIVE and live.stream_online and live.started_at
        segment = next(line for line in playlist.decode().splitlines()
                       if line and not line.startswith("#"))
        data = fetch(f"http://127.0.0.1:{http_port}/hls/{room.stream_name}/{segment}")
        assert data
        (stage["prefix"] / "segment.ts").write_bytes(data)
        probe = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-of", "json",
             str(stage["prefix"] / "segment.ts")], capture_output=True, timeout=10).stdout)
        assert "h264" in [s["codec_name"] for s in probe["streams"]]

        # Let a few seconds be recorded, then stop: 已结束, then the replay story.
        time.sleep(max(0.0, 3.0 - (time.monotonic() - started)))
        pusher.terminate()
        pusher.wait(timeout=5)
        assert wait_for(lambda: LiveRoom.objects.get(pk=room.pk).state != RoomState.LIVE,
                        timeout=5)
        ended = LiveRoom.objects.get(pk=room.pk)
        assert ended.ended_at is not None and not ended.stream_online
        done = wait_for(lambda: LiveRoom.objects.filter(
            pk=room.pk, replay_status__in=[ReplayStatus.DONE, ReplayStatus.FAILED]).first(),
            timeout=20, step=0.2)
        assert done is not None, "no replay within 20 s"
        assert done.replay_status == ReplayStatus.DONE, done.replay_error
        assert done.state == RoomState.REPLAY
        story = VideoPage.objects.get(pk=done.replay_page_id)
        assert story.live and story.title == "【回放】莲花节开幕式晚会"
        assert story.video.is_ready and story.video.hls_playlist
    finally:
        kill(pusher)
        server.stop()
    assert server.process is None
