"""The 音视频库 console screens, the status endpoint and the choosers: who may reach what
(a role × screen matrix), what they show, upload and retry through the console."""

from __future__ import annotations

import json

import pytest

from rongmei.media.models import MediaAsset, MediaStatus

from .conftest import make_asset, upload_of

pytestmark = pytest.mark.django_db

MEDIA_ROLES = ("reporter", "editor", "chief_editor", "director", "unit_admin", "operator",
               "administrator")
OTHER_STAFF = ("wenzheng_handler", "propaganda", "merchant", "unit_handler")
SCREENS = ("/admin/av/", "/admin/av/upload/")


def status_url(asset) -> str:
    return f"/av/assets/{asset.pk}/status"


@pytest.mark.parametrize("role", MEDIA_ROLES)
def test_media_roles_see_the_menu_screens_and_status(client, make_user, county, role):
    user = make_user(role, unit=county.hetang)
    asset = make_asset(status="processing", progress=40, unit=county.hetang)
    client.force_login(user)
    home = client.get("/admin/").content.decode()  # the menu is JSON in the page
    assert json.dumps("音视频库") in home and "/admin/av/" in home
    for url in (*SCREENS, f"/admin/av/{asset.pk}/", "/admin/av-choose/video/"):
        assert client.get(url).status_code == 200, (role, url)
    data = client.get(status_url(asset)).json()
    assert data["status"] == "processing" and data["progress"] == 40


@pytest.mark.parametrize("role", (None, *OTHER_STAFF))
def test_residents_and_other_staff_are_kept_out(client, make_user, role):
    asset = make_asset()
    client.force_login(make_user(*([role] if role else [])))
    assert "/admin/av/" not in client.get("/admin/").content.decode()
    for url in (*SCREENS, f"/admin/av/{asset.pk}/", "/admin/av-choose/video/",
                "/admin/av-choose/audio/"):
        assert client.get(url).status_code in (302, 403), (role, url)
    response = client.get(status_url(asset))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "音视频" in response.json()["message"]
    assert client.get(f"/api/v1/media/assets/{asset.pk}").status_code == 403


def test_status_endpoint_needs_a_session_and_knows_missing_assets(client, make_user):
    asset = make_asset()
    response = client.get(status_url(asset))
    assert response.status_code == 401 and response.json()["message"] == "请先登录"
    client.force_login(make_user("reporter"))
    missing = client.get("/av/assets/999999/status")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    data = client.get(status_url(asset)).json()
    assert data["playback_url"].endswith("/av/out/ok.mp4")
    assert data["hls_url"].endswith("index.m3u8")
    assert client.get(status_url(asset))["Cache-Control"].startswith("max-age=0")
    api = client.get(f"/api/v1/media/assets/{asset.pk}")
    assert api.status_code == 200 and api.json()["status"] == "ready"


def test_unit_admin_sees_only_their_units_assets(client, make_user, county):
    admin = make_user("unit_admin", unit=county.hetang)
    ours = make_asset(title="荷塘镇新闻", unit=county.shangtang)
    theirs = make_asset(title="白水镇新闻", unit=county.baishui)
    center = make_asset(title="中心新闻")
    client.force_login(admin)
    listing = client.get("/admin/av/").content.decode()
    assert "荷塘镇新闻" in listing and "白水镇新闻" not in listing and "中心新闻" not in listing
    assert client.get(f"/admin/av/{ours.pk}/").status_code == 200
    for other in (theirs, center):
        assert client.get(f"/admin/av/{other.pk}/").status_code in (302, 403)
        assert client.get(status_url(other)).status_code == 403
    chooser = client.get("/admin/av-choose/video/").json()["html"]
    assert "荷塘镇新闻" in chooser and "白水镇新闻" not in chooser


def test_list_shows_status_progress_and_filters(client, make_user):
    make_asset(title="转码中的视频", status="processing", progress=35)
    make_asset(title="失败的音频", kind="audio", status="failed", error="音频转码失败：坏文件")
    client.force_login(make_user("editor"))
    page = client.get("/admin/av/").content.decode()
    assert "转码中的视频" in page and 'value="35"' in page and "转码中 35%" in page
    assert "音频转码失败：坏文件" in page
    assert "media/js/av-progress.js" in page and "/av/assets/" in page
    audio_only = client.get("/admin/av/?kind=audio").content.decode()
    assert "失败的音频" in audio_only and "转码中的视频" not in audio_only
    assert "转码中的视频" not in client.get("/admin/av/?status=failed").content.decode()


def test_console_upload_transcodes_and_shows_the_player(
        samples, client, reporter, django_capture_on_commit_callbacks):
    client.force_login(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/av/upload/", {
            "title": "防汛演练", "kind": "video",
            "file": upload_of(samples["video"], "drill.mp4", "video/mp4")})
    asset = MediaAsset.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/av/{asset.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "防汛演练" in page and "<video" in page and asset.playback_url in page
    assert "重新转码" not in page


def test_console_upload_of_a_corrupt_file_shows_a_chinese_error(samples, client, reporter):
    import os

    client.force_login(reporter)
    response = client.post("/admin/av/upload/", {
        "title": "坏文件", "kind": "video",
        "file": upload_of(os.urandom(4096), "bad.mp4", "video/mp4")})
    assert response.status_code == 400
    assert "无法识别该文件中的视频内容" in response.content.decode()
    assert MediaAsset.objects.count() == 0


def test_failed_asset_shows_error_and_log_and_can_be_retried(client, make_user, monkeypatch):
    from rongmei.media import services

    queued = []
    monkeypatch.setattr(services, "_enqueue_transcode", queued.append)
    asset = make_asset(status="failed", error="视频转码失败：文件可能已损坏",
                       error_detail="moov atom not found")
    client.force_login(make_user("director"))
    page = client.get(f"/admin/av/{asset.pk}/").content.decode()
    assert "视频转码失败" in page and "moov atom not found" in page and "重新转码" in page
    client.post(f"/admin/av/{asset.pk}/", {"action": "retry"})
    asset.refresh_from_db()
    assert asset.status == MediaStatus.PENDING and asset.error == "" and queued == [asset.pk]
    retry_again = client.post(f"/admin/av/{asset.pk}/", {"action": "retry"}, follow=True)
    assert "只有转码失败的音视频可以重新转码" in retry_again.content.decode()
    assert queued == [asset.pk]


def test_ready_assets_cannot_be_retried(make_user):
    from rongmei.core.errors import ServiceError
    from rongmei.media.services import media_retry

    asset = make_asset()
    with pytest.raises(ServiceError) as caught:
        media_retry(actor=make_user("reporter"), asset_id=asset.pk)
    assert caught.value.code == "not_retryable"


def test_video_chooser_lists_ready_and_processing_videos_only(client, make_user):
    ready = make_asset(title="可用视频")
    busy = make_asset(title="处理中视频", status="processing")
    make_asset(title="等待视频", status="pending")
    make_asset(title="失败视频", status="failed")
    audio = make_asset(title="一段音频", kind="audio")
    client.force_login(make_user("editor"))
    html = client.get("/admin/av-choose/video/").json()["html"]
    assert "可用视频" in html and "处理中视频" in html
    assert "等待视频" not in html and "失败视频" not in html and "一段音频" not in html
    assert "上传视频" in html  # the upload tab
    chosen = client.get(f"/admin/av-choose/video/chosen/{ready.pk}/").json()
    assert chosen["step"] == "chosen" and chosen["result"]["title"] == "可用视频"
    assert chosen["result"]["edit_url"] == f"/admin/av/{ready.pk}/"
    assert client.get(f"/admin/av-choose/video/chosen/{busy.pk}/").status_code == 200
    assert client.get(f"/admin/av-choose/video/chosen/{audio.pk}/").status_code == 404
    audio_html = client.get("/admin/av-choose/audio/").json()["html"]
    assert "一段音频" in audio_html and "可用视频" not in audio_html


def test_upload_from_the_chooser(samples, client, reporter, django_capture_on_commit_callbacks):
    client.force_login(reporter)
    refused = client.post("/admin/av-choose/audio/create/", {
        "title": "坏音频", "file": upload_of(b"not audio" * 100, "x.mp3", "audio/mpeg")}).json()
    assert refused["step"] == "reshow_creation_form"
    assert "无法识别该文件中的音频内容" in refused["htmlFragment"]
    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post("/admin/av-choose/audio/create/", {
            "title": "早间新闻", "file": upload_of(samples["audio"], "am.mp3", "audio/mpeg")})
    data = chosen.json()
    asset = MediaAsset.objects.get()
    assert data["step"] == "chosen" and data["result"]["id"] == str(asset.pk)
    assert asset.kind == "audio" and asset.status == "ready"  # the chooser fixes the kind


def test_chooser_widgets_render_for_the_newsroom_fields(make_user):
    from rongmei.media.widgets import AudioChooser, VideoChooser

    asset = make_asset(title="专题片")
    html = VideoChooser().render("video", asset.pk, attrs={"id": "id_video"})
    assert "/admin/av-choose/video/" in html and "专题片" in html and "选择视频" in html
    assert "/admin/av-choose/audio/" in AudioChooser().render("audio", None,
                                                              attrs={"id": "id_audio"})
