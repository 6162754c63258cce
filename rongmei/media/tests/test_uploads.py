"""Upload checks: size per kind, extension and declared type, and ffprobe must find a real
video (or audio) stream — otherwise a Chinese error and nothing stored."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage

from rongmei.core.errors import PermissionDeniedError, ServiceError
from rongmei.media import services
from rongmei.media.models import MediaAsset

from .conftest import upload_of

pytestmark = pytest.mark.django_db


def stored_originals() -> list[str]:
    root = default_storage.path("av")
    return [name for _, _, files in os.walk(root) for name in files]


def refuse(actor, data, name, content_type, *, kind="video") -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        services.media_upload(actor=actor, kind=kind, title="测试",
                              upload=upload_of(data, name, content_type))
    assert MediaAsset.objects.count() == 0
    assert stored_originals() == []
    return caught.value


def test_random_bytes_named_mp4_are_refused_and_nothing_is_saved(samples, reporter):
    error = refuse(reporter, os.urandom(20_000), "新闻.mp4", "video/mp4")
    assert error.code == "file_unreadable" and error.field == "file"
    assert "无法识别该文件中的视频内容" in error.message


def test_a_document_is_refused_by_its_type(samples, reporter):
    error = refuse(reporter, b"%PDF-1.4 not a video", "通知.pdf", "application/pdf")
    assert error.code == "file_type" and "只支持以下格式的视频文件" in error.message
    error = refuse(reporter, b"hello", "说明.txt", "text/plain", kind="audio")
    assert error.code == "file_type" and "音频" in error.message


def test_a_document_renamed_mp4_is_refused_by_ffprobe(samples, reporter):
    error = refuse(reporter, "县政府通知：请于周一前上报。\n".encode() * 200, "通知.mp4",
                   "video/mp4")
    assert error.code == "file_unreadable"


def test_declared_type_must_match_the_kind(samples, reporter):
    error = refuse(reporter, samples["video"], "clip.mp4", "image/jpeg")
    assert error.code == "file_type" and "不是视频文件" in error.message


def test_a_still_image_is_not_a_video(samples, reporter):
    error = refuse(reporter, samples["still"], "照片.mp4", "video/mp4")
    assert error.code == "file_unreadable"


def test_sound_only_uploaded_as_video_is_sent_to_audio(samples, reporter):
    error = refuse(reporter, samples["audio"], "录音.mp4", "video/mp4")
    assert error.code in ("no_video_stream", "file_unreadable")
    assert "音频" in error.message or "视频" in error.message


def test_a_playlist_posing_as_a_video_is_not_followed(samples, reporter, tmp_path):
    """An HLS playlist named .mp4 makes ffmpeg open whatever it lists (local files, intranet
    addresses). The segment here is a real video, so only the demuxer allow-list stops it."""
    import subprocess

    source = tmp_path / "clip.mp4"
    source.write_bytes(samples["video"])
    segment = tmp_path / "server-side.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c", "copy", "-f",
                    "mpegts", str(segment)], check=True, timeout=30)
    playlist = (f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile://{segment}\n"
                "#EXT-X-ENDLIST\n").encode()
    error = refuse(reporter, playlist, "新闻.mp4", "video/mp4")
    assert error.code == "file_unreadable"


def test_size_limit_per_kind(samples, reporter, settings):
    settings.MEDIA_MAX_AUDIO_MB = 1
    error = refuse(reporter, b"\0" * (1024 * 1024 + 1), "long.mp3", "audio/mpeg", kind="audio")
    assert error.code == "file_too_large" and error.message == "音频文件不能超过1MB"
    settings.MEDIA_MAX_VIDEO_MB = 1
    error = refuse(reporter, b"\0" * (1024 * 1024 + 1), "long.mp4", "video/mp4")
    assert error.message == "视频文件不能超过1MB"


def test_title_is_required(samples, reporter):
    with pytest.raises(ServiceError) as caught:
        services.media_upload(actor=reporter, kind="video", title="  \x00 ",
                              upload=upload_of(samples["video"], "a.mp4", "video/mp4"))
    assert caught.value.field == "title" and caught.value.message == "请填写标题"
    assert MediaAsset.objects.count() == 0 and stored_originals() == []


def test_residents_cannot_upload(samples, make_user):
    with pytest.raises(PermissionDeniedError):
        services.media_upload(actor=make_user(), kind="video", title="x",
                              upload=upload_of(samples["video"], "a.mp4", "video/mp4"))
    assert MediaAsset.objects.count() == 0


def test_a_good_upload_is_stored_under_a_random_name_with_its_facts(
        samples, reporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        asset = services.media_upload(actor=reporter, kind="video", title=" 乡村 <b>振兴</b> ",
                                      upload=upload_of(samples["video"], "../../采访.mp4",
                                                       "video/mp4"))
    assert len(queued) == 1  # the transcode waits for the commit
    assert asset.status == "pending" and asset.uploaded_by == reporter
    assert asset.title == "乡村 <b>振兴</b>"  # plain text; templates escape it
    assert asset.original_name == "采访.mp4" and asset.original_size == len(samples["video"])
    assert asset.original.name.startswith("av/originals/") and ".." not in asset.original.name
    assert asset.original.name.endswith(".mp4") and "采访" not in asset.original.name
    assert abs(asset.duration - 2) < 0.3 and (asset.width, asset.height) == (480, 270)


def test_unit_admin_files_uploads_under_their_own_unit_only(samples, county, make_user):
    admin = make_user("unit_admin", unit=county.hetang)
    with pytest.raises(ServiceError) as caught:
        services.media_upload(actor=admin, kind="audio", title="镇广播",
                              upload=upload_of(samples["audio"], "a.mp3", "audio/mpeg"))
    assert caught.value.code == "unit_required"
    with pytest.raises(PermissionDeniedError):
        services.media_upload(actor=admin, kind="audio", title="镇广播", unit=county.baishui,
                              upload=upload_of(samples["audio"], "a.mp3", "audio/mpeg"))
    assert MediaAsset.objects.count() == 0
    asset = services.media_upload(actor=admin, kind="audio", title="村广播",
                                  unit=county.shangtang,  # below 荷塘镇: in scope
                                  upload=upload_of(samples["audio"], "a.mp3", "audio/mpeg"))
    assert asset.unit == county.shangtang


def test_missing_ffmpeg_refuses_uploads_clearly(samples, reporter, settings):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    error = refuse(reporter, samples["video"], "a.mp4", "video/mp4")
    assert error.code == "transcoder_missing" and error.status == 503


def test_missing_ffmpeg_skips_locally_and_fails_in_ci(settings, monkeypatch):
    from .conftest import require_ffmpeg

    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    monkeypatch.delenv("RONGMEI_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="ffmpeg not found"):
        require_ffmpeg()
    monkeypatch.setenv("RONGMEI_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="RONGMEI_REQUIRE_BROWSER=1"):
        require_ffmpeg()
