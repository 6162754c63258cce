"""Fixtures for the 音视频 tests: tiny real media made by the real ffmpeg, once per session.

Without ffmpeg/ffprobe the tests that need them skip, unless RONGMEI_REQUIRE_BROWSER=1 (CI),
when they fail — as ``rongmei.browser_testing`` treats Chromium.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongmei.browser_testing import unavailable


def require_ffmpeg() -> None:
    from django.conf import settings

    missing = [b for b in (settings.FFMPEG_BINARY, settings.FFPROBE_BINARY) if not shutil.which(b)]
    if missing:
        unavailable(f"{', '.join(missing)} not found", "ffmpeg")


def _make(path: Path, *args: str) -> bytes:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(path)], check=True, timeout=60)
    return path.read_bytes()


@pytest.fixture(scope="session")
def media_samples(tmp_path_factory):
    """Two-second samples: a 480×270 video with a tone, a tone alone, a still image."""
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        return None
    folder = tmp_path_factory.mktemp("av-samples")
    return {
        "video": _make(folder / "clip.mp4", "-f", "lavfi", "-i",
                       "testsrc=size=480x270:rate=15:d=2", "-f", "lavfi", "-i",
                       "sine=frequency=440:d=2", "-shortest", "-c:v", "libx264",
                       "-preset", "ultrafast", "-pix_fmt", "yuv444p", "-c:a", "aac"),
        "tall_video": _make(folder / "tall.mov", "-f", "lavfi", "-i",
                            "testsrc=size=722x1282:rate=10:d=1", "-c:v", "libx264",
                            "-preset", "ultrafast"),
        "audio": _make(folder / "tone.mp3", "-f", "lavfi", "-i", "sine=frequency=660:d=2",
                       "-c:a", "libmp3lame", "-b:a", "64k"),
        "still": _make(folder / "still.mp4", "-f", "lavfi", "-i", "testsrc=size=64x64:d=1",
                       "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg"),
    }


@pytest.fixture
def samples(media_samples):
    require_ffmpeg()
    assert media_samples is not None
    return media_samples


def upload_of(data: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def reporter(make_user):
    return make_user("reporter")


def make_asset(*, kind="video", status="ready", title=None, unit=None, uploaded_by=None,
               **fields):
    """An asset row as the transcode leaves it (no files: for screens and templates)."""
    from rongmei.media.models import MediaAsset

    values = {"original": f"av/originals/x.{'mp4' if kind == 'video' else 'mp3'}",
              "progress": 100 if status == "ready" else 0, "duration": 12.5}
    if status == "ready":
        values.update(output=f"av/out/ok.{'mp4' if kind == 'video' else 'm4a'}")
        if kind == "video":
            values.update(hls_playlist="av/hls/2026/11/1-ok/index.m3u8", width=1280,
                          height=720)
    values.update(fields)
    return MediaAsset.objects.create(kind=kind, status=status,
                                     title=title or f"{kind}-{status}", unit=unit,
                                     uploaded_by=uploaded_by, **values)
