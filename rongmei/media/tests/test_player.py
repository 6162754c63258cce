"""The resident-side include: {% include "media/_player.html" with asset=page.video %}."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from rongmei.media.models import MediaAsset

from .conftest import make_asset

pytestmark = pytest.mark.django_db


def render(asset) -> str:
    return render_to_string("media/_player.html", {"asset": asset})


def test_ready_video_is_a_light_video_with_hls_then_mp4_and_poster(
        samples, reporter, django_capture_on_commit_callbacks):
    from rongmei.media import services

    from .conftest import upload_of

    with django_capture_on_commit_callbacks(execute=True):
        asset = services.media_upload(actor=reporter, kind="video", title="秋收",
                                      upload=upload_of(samples["video"], "a.mp4", "video/mp4"))
    asset = MediaAsset.objects.get(pk=asset.pk)
    html = render(asset)
    assert "<video controls playsinline" in html and 'preload="none"' in html
    assert f'poster="{asset.poster_url}"' in html and asset.poster_url.endswith(".jpg")
    hls = html.index('type="application/vnd.apple.mpegurl"')
    mp4 = html.index('type="video/mp4"')
    assert hls < mp4  # HLS first (iOS, WeChat), the progressive MP4 for everyone else
    assert asset.hls_url in html and asset.playback_url in html
    assert 'width="480" height="270"' in html and "<audio" not in html


def test_ready_audio_is_an_audio_element():
    asset = make_asset(kind="audio", title="评书")
    html = render(asset)
    assert "<audio controls" in html and 'preload="none"' in html and "<video" not in html
    assert asset.playback_url in html and 'type="audio/mp4"' in html


@pytest.mark.parametrize("status", ["pending", "processing"])
def test_a_video_not_ready_yet_shows_a_placeholder(status):
    html = render(make_asset(status=status))
    assert "视频处理中" in html and "<video" not in html and "<source" not in html


def test_failed_and_missing_assets_show_no_player():
    assert "视频暂时无法播放" in render(make_asset(status="failed", error="x"))
    assert "音频处理中" in render(make_asset(kind="audio", status="processing"))
    assert render(None).strip() == ""


def test_helpers_are_empty_until_ready():
    asset = make_asset(status="processing")
    assert (asset.playback_url, asset.hls_url, asset.poster_url) == ("", "", "")
    ready = make_asset()
    assert ready.playback_url.endswith("av/out/ok.mp4")
    assert ready.hls_url.endswith("av/hls/2026/11/1-ok/index.m3u8")


def test_titles_are_escaped_in_the_player():
    html = render(make_asset(title='"><script>alert(1)</script>'))
    assert "<script>alert" not in html
