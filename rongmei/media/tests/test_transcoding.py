"""The transcode with the real ffmpeg: tiny inputs made in the test, outputs checked with
ffprobe afterwards."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from django.core.files.storage import default_storage

from rongmei.media import services, transcoding
from rongmei.media.models import MediaAsset, MediaStatus
from rongmei.media.tasks import transcode_media

from .conftest import upload_of

pytestmark = pytest.mark.django_db


def ffprobe_json(path) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of",
                           "json", str(path)], capture_output=True, check=True, timeout=30)
    return json.loads(done.stdout)


def upload(actor, data, name, content_type, *, kind="video", title="县城新闻"):
    return services.media_upload(actor=actor, kind=kind, title=title,
                                 upload=upload_of(data, name, content_type))


def test_video_becomes_phone_mp4_hls_and_poster(samples, reporter,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        asset = upload(reporter, samples["video"], "采访.mp4", "video/mp4")
    assert len(callbacks) == 1  # the transcode is queued when the upload commits
    asset.refresh_from_db()
    assert asset.status == MediaStatus.READY, asset.error_detail
    assert asset.progress == 100 and asset.error == "" and asset.attempts == 1

    mp4 = ffprobe_json(default_storage.path(asset.output.name))
    video = next(s for s in mp4["streams"] if s["codec_type"] == "video")
    audio = next(s for s in mp4["streams"] if s["codec_type"] == "audio")
    assert video["codec_name"] == "h264" and video["profile"] == "Main"
    assert video["pix_fmt"] == "yuv420p"  # the sample is yuv444p, which phones cannot decode
    assert (video["width"], video["height"]) == (480, 270)
    assert audio["codec_name"] == "aac"
    assert abs(float(audio["bit_rate"]) - 128_000) < 40_000
    assert abs(float(mp4["format"]["duration"]) - 2) < 0.3
    with default_storage.open(asset.output.name, "rb") as handle:
        head = handle.read(64 * 1024)
    assert head.find(b"moov") < head.find(b"mdat")  # +faststart: the index comes first

    assert abs(asset.duration - 2) < 0.3 and (asset.width, asset.height) == (480, 270)
    playlist = default_storage.open(asset.hls_playlist).read().decode()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist and "#EXT-X-ENDLIST" in playlist
    folder = asset.hls_playlist.rsplit("/", 1)[0]
    segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
    assert segments and all(default_storage.exists(f"{folder}/{s}") for s in segments)
    first = ffprobe_json(default_storage.path(f"{folder}/{segments[0]}"))
    assert {s["codec_name"] for s in first["streams"]} == {"h264", "aac"}

    assert asset.poster is not None and asset.poster.collection.name == "音视频封面帧"
    assert (asset.poster.width, asset.poster.height) == (480, 270)
    assert default_storage.exists(asset.poster.file.name)
    assert asset.playback_url.endswith(".mp4") and asset.hls_url.endswith("index.m3u8")
    assert asset.poster_url == asset.poster.file.url


def test_tall_video_is_scaled_to_720p_keeping_aspect_with_even_sides(
        samples, reporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload(reporter, samples["tall_video"], "竖屏.mov", "video/quicktime")
    asset.refresh_from_db()
    assert asset.status == MediaStatus.READY, asset.error_detail
    assert (asset.width, asset.height) == (720, 1278)  # 722×1282 → short side 720, both even
    stream = ffprobe_json(default_storage.path(asset.output.name))["streams"]
    assert [s["codec_type"] for s in stream] == ["video"]  # no audio in, none invented


def test_audio_becomes_aac_m4a_without_poster(samples, reporter,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload(reporter, samples["audio"], "广播.mp3", "audio/mpeg", kind="audio")
    asset.refresh_from_db()
    assert asset.status == MediaStatus.READY, asset.error_detail
    assert asset.output.name.endswith(".m4a") and asset.poster is None
    probed = ffprobe_json(default_storage.path(asset.output.name))
    assert [s["codec_name"] for s in probed["streams"]] == ["aac"]
    assert abs(float(probed["streams"][0]["bit_rate"]) - 96_000) < 30_000
    assert abs(asset.duration - 2) < 0.3 and asset.progress == 100
    assert asset.playback_url and asset.hls_url == "" and asset.poster_url == ""


def test_progress_is_written_while_ffmpeg_runs(samples, reporter, monkeypatch,
                                               django_capture_on_commit_callbacks):
    seen = []
    real_set = transcoding.ProgressReporter.set

    def spy(self, percent, *, now=None):
        real_set(self, percent, now=now)
        seen.append((percent, MediaAsset.objects.get(pk=self.asset_id).progress,
                     MediaAsset.objects.get(pk=self.asset_id).status))

    monkeypatch.setattr(transcoding.ProgressReporter, "set", spy)
    # The tiny sample encodes in a blink: have ffmpeg report far more often than its 0.5 s.
    monkeypatch.setattr(transcoding.ffmpeg, "PROGRESS_PERIOD_SECONDS", 0.002)
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload(reporter, samples["video"], "进度.mp4", "video/mp4")
    asset.refresh_from_db()
    assert asset.status == MediaStatus.READY
    # Several stored steps, rising, all while the asset is still "processing".
    assert len(seen) >= 3, seen
    assert [p for p, _, _ in seen] == sorted(p for p, _, _ in seen)
    assert all(stored == p and status == "processing" for p, stored, status in seen)
    assert any(0 < p < 90 for p, _, _ in seen)  # from ffmpeg's out_time_ms, mid-encode
    assert asset.progress == 100


def test_progress_writes_are_throttled(reporter, make_user):
    asset = MediaAsset.objects.create(kind="video", title="节流", original="x.mp4",
                                      status=MediaStatus.PROCESSING)
    clock = [100.0]
    progress = transcoding.ProgressReporter(asset.pk, 0, 90, clock=lambda: clock[0])
    for step in range(1, 101):  # 100 reports of 1 % each within the same instant
        progress(step / 100)
    assert progress.writes <= 90 // 5 + 1
    writes = progress.writes
    progress(0.99)  # nothing new
    clock[0] += 2.5
    progress(1.0)  # time passed but nothing new either
    assert progress.writes == writes
    asset.refresh_from_db()
    assert asset.progress == progress.last_percent and asset.progress >= 85


def test_rerun_on_a_ready_asset_does_nothing(samples, reporter,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload(reporter, samples["audio"], "a.mp3", "audio/mpeg", kind="audio")
    asset.refresh_from_db()
    before = (asset.output.name, asset.updated_at, asset.attempts)
    result = transcode_media.enqueue(asset.pk)
    assert result.return_value == "ready"
    asset.refresh_from_db()
    assert (asset.output.name, asset.updated_at, asset.attempts) == before


def test_broken_source_fails_with_chinese_error_and_log_tail_then_retry_works(
        samples, reporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload(reporter, samples["video"], "坏.mp4", "video/mp4")
    asset.refresh_from_db()
    good = default_storage.open(asset.original.name, "rb").read()
    # The stored original gets damaged after upload (disk fault, a half-copied file).
    path = default_storage.path(asset.original.name)
    with open(path, "wb") as handle:
        handle.write(good[: len(good) // 3])
    MediaAsset.objects.filter(pk=asset.pk).update(status=MediaStatus.PENDING, progress=0)
    assert transcode_media.enqueue(asset.pk).return_value == "failed"
    asset.refresh_from_db()
    assert asset.status == MediaStatus.FAILED
    assert asset.error.startswith("视频转码失败")
    assert asset.error_detail  # ffmpeg's own words are kept for the technician

    with open(path, "wb") as handle:
        handle.write(good)
    with django_capture_on_commit_callbacks(execute=True):
        services.media_retry(actor=reporter, asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.status == MediaStatus.READY and asset.attempts == 3 and asset.error == ""


def test_missing_ffmpeg_output_keeps_nothing(samples, reporter, monkeypatch,
                                             django_capture_on_commit_callbacks):
    from wagtail.images import get_image_model

    def no_poster(*args, **kwargs):
        raise transcoding.ffmpeg.FFmpegError("poster failed", "simulated")

    monkeypatch.setattr(transcoding, "_save_poster", no_poster)
    images_before = get_image_model().objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload(reporter, samples["video"], "x.mp4", "video/mp4")
    asset.refresh_from_db()
    assert asset.status == MediaStatus.FAILED and asset.output.name == ""
    assert get_image_model().objects.count() == images_before
    out_dir = default_storage.path("av/out")
    import os

    leftovers = [f for _, _, files in os.walk(out_dir) for f in files]
    hls_left = [f for _, _, files in os.walk(default_storage.path("av/hls")) for f in files]
    assert leftovers == [] and hls_left == []


@pytest.mark.django_db(transaction=True)
def test_requeue_command_restarts_transcodes_a_dead_worker_left(samples, reporter):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    asset = upload(reporter, samples["audio"], "a.mp3", "audio/mpeg", kind="audio")
    asset.refresh_from_db()  # the immediate backend already transcoded it on commit
    assert asset.status == "ready"
    fresh = MediaAsset.objects.create(kind="audio", title="刚开始", original=asset.original.name,
                                      status="processing", processing_started_at=timezone.now())
    MediaAsset.objects.filter(pk=asset.pk).update(
        status="processing", progress=40, processing_started_at=timezone.now() - timedelta(hours=3))
    out = io.StringIO()
    call_command("media_requeue", stdout=out)
    assert out.getvalue().strip() == "requeued 1 stuck transcode(s)"
    asset.refresh_from_db()
    fresh.refresh_from_db()
    assert asset.status == "ready" and asset.attempts == 2
    assert fresh.status == "processing"  # a worker may still be on it
