"""线索 and 选题 texts others read pass the word gate; a tip's contact is what the resident
chose, never the account's phone by default; a tip's photos reach only its sender and the
desk; an adopted tip whose story is published pays its sender once; a moderator turns a
comment into a tip with one action."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rongmei.planning import dispatch, services
from rongmei.planning.models import Tip, TipPhoto, TipSource, TipStatus, Topic, TopicStatus

from .conftest import api, make_story, slot

pytestmark = pytest.mark.django_db


def _photo(name="scene.jpg"):
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 40, 40)).save(data, "JPEG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def test_topic_texts_and_the_notes_others_read_pass_the_word_gate(client, desk,
                                                                  blocked_words):
    day = str(timezone.localdate())
    for field in ("title", "angle", "sources"):
        body = {"title": "夜市调查", "angle": "现场", "sources": "摊主", "planned_date": day,
                field: "网络赌博窝点"}
        refused = api(client, desk.reporter, "post", "/topics", body)
        assert refused.status_code == 400, refused.content
        assert refused.json()["code"] == "wordgate_blocked"
        assert refused.json()["field"] == field and "禁用词" in refused.json()["message"]
    assert not Topic.objects.exists()

    topic = services.topic_propose(actor=desk.reporter, title="夜市调查", angle="现场",
                                   planned_date=timezone.localdate())
    returned = api(client, desk.editor, "post", f"/topics/{topic.pk}/review",
                    {"decision": "return", "note": "别写网络赌博"})
    assert returned.status_code == 400 and returned.json()["field"] == "note"
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.PROPOSED

    tip = services.tip_submit(sender=desk.resident, title="路灯坏了", body="解放路路灯不亮")
    rejected = api(client, desk.editor, "post", f"/desk/tips/{tip.pk}/triage",
                    {"decision": "reject", "note": "疑似网络赌博广告"})
    assert rejected.status_code == 400 and rejected.json()["code"] == "wordgate_blocked"
    assert Tip.objects.get(pk=tip.pk).status == TipStatus.NEW

    approved = services.topic_review(actor=desk.editor, topic=topic, decision="approve")
    start, end = slot()
    row = dispatch.assignment_create(actor=desk.dispatcher, topic=approved, duty="reporter",
                                     assignee_id=desk.reporter.pk, starts_at=start,
                                     ends_at=end)
    for path, body in ((f"/assignments/{row.pk}/cancel", {"reason": "网络赌博"}),
                       (f"/assignments/{row.pk}/decline", {"reason": "网络赌博"})):
        who = desk.dispatcher if "cancel" in path else desk.reporter
        answer = api(client, who, "post", path, body)
        assert answer.status_code == 400 and answer.json()["field"] == "reason", path
    client.force_login(desk.reporter)  # the console says it in Chinese too
    page = client.post("/admin/planning/topics/", {
        "action": "propose", "title": "网络赌博调查", "angle": "现场", "planned_date": day,
        "outlets": ["app"]}, follow=True)
    assert "禁用词" in page.content.decode() and Topic.objects.count() == 1


def test_the_account_phone_is_never_a_tips_silent_default(client, desk):
    sent = api(client, desk.resident, "post", "/tips", {"title": "积水", "body": "路口积水"})
    assert sent.status_code == 201
    assert Tip.objects.get(pk=sent.json()["id"]).contact_phone == ""

    client.force_login(desk.resident)
    form = client.get("/planning/tips/new/").content.decode()
    masked = f"{desk.resident.phone[:3]}****{desk.resident.phone[-4:]}"
    assert 'name="use_account_phone"' in form and masked in form
    assert desk.resident.phone not in form
    client.post("/planning/tips/new/", {"title": "未选", "body": "没有勾选"})
    assert Tip.objects.get(title="未选").contact_phone == ""
    client.post("/planning/tips/new/", {"title": "勾选", "body": "勾选了登录手机号",
                                        "use_account_phone": "1"})
    assert Tip.objects.get(title="勾选").contact_phone == desk.resident.phone
    client.post("/planning/tips/new/", {"title": "另填", "body": "另填号码",
                                        "use_account_phone": "1",
                                        "contact_phone": "13800001111"})
    assert Tip.objects.get(title="另填").contact_phone == "13800001111"


def test_a_tips_photos_reach_only_its_sender_and_the_desk(client, desk, make_user):
    client.force_login(desk.resident)
    sent = client.post("/planning/tips/new/", {"title": "莲田", "body": "试灯现场",
                                               "photos": [_photo()]})
    assert sent.status_code == 302, sent.content
    photo = TipPhoto.objects.get()
    assert photo.image.name.startswith("private/planning/tips/")
    url = f"/planning/tips/photos/{photo.pk}/"

    client.logout()
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    assert client.get(url).status_code == 404
    for outsider in (make_user(), desk.reporter):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
    for allowed in (desk.resident, desk.editor, desk.dispatcher):
        client.force_login(allowed)
        shown = client.get(url)
        assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
        assert shown["Cache-Control"] == "private, no-store"
        assert shown["X-Content-Type-Options"] == "nosniff"
    client.force_login(desk.editor)
    desk_page = client.get("/admin/planning/tips/").content.decode()
    assert url in desk_page and photo.image.name not in desk_page
    listed = api(client, desk.editor, "get", "/desk/tips").json()
    assert listed[0]["photos"] == [url] and listed[0]["videos"] == []


def test_an_adopted_tip_pays_its_sender_once_when_its_story_is_published(
        client, desk, django_capture_on_commit_callbacks):
    from rongmei.news.models import StoryPage
    from rongmei.points.models import EarningRule, PointsEntry

    rule = EarningRule.objects.get(action="tip_adopted")  # a county starts with it
    assert rule.label == "爆料采用" and rule.is_active
    tip_id = api(client, desk.resident, "post", "/tips", {
        "title": "荷塘镇莲田试灯", "body": "今晚八点试灯"}).json()["id"]
    other_id = api(client, desk.resident, "post", "/tips", {
        "title": "莲田又试灯", "body": "同一件事"}).json()["id"]
    topic_id = api(client, desk.editor, "post", f"/desk/tips/{tip_id}/triage",
                    {"decision": "adopt"}).json()["topic_id"]
    api(client, desk.editor, "post", f"/desk/tips/{other_id}/triage",
         {"decision": "merge", "merge_into_id": tip_id})
    api(client, desk.editor, "post", f"/topics/{topic_id}/review", {"decision": "approve"})
    start, end = slot()
    row = api(client, desk.dispatcher, "post", f"/topics/{topic_id}/assignments", {
        "duty": "reporter", "assignee_id": desk.reporter.pk, "starts_at": start.isoformat(),
        "ends_at": end.isoformat()}).json()
    api(client, desk.reporter, "post", f"/assignments/{row['id']}/accept")
    story = make_story(user=desk.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        api(client, desk.reporter, "post", f"/assignments/{row['id']}/hand-in",
             {"story_id": story.pk})
    paid = PointsEntry.objects.filter(action="tip_adopted")
    assert not paid.exists()  # handed in, not yet published

    for _ in range(2):  # published, then an edit published again
        with django_capture_on_commit_callbacks(execute=True):
            page = StoryPage.objects.get(pk=story.pk).specific
            page.save_revision(user=desk.editor).publish()
    entry = paid.get()
    assert entry.account.user == desk.resident and entry.amount == rule.points
    assert entry.reason == "爆料采用"

    # A second tip adopted into the same, already published topic pays at adoption.
    late_tip = api(client, desk.resident, "post", "/tips", {
        "title": "试灯补充", "body": "还有照片"}).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        api(client, desk.editor, "post", f"/desk/tips/{late_tip}/triage",
             {"decision": "adopt", "topic_id": topic_id})
    assert paid.count() == 2  # the merged tip pays nothing


def test_a_moderator_turns_a_comment_into_a_tip_with_one_action(client, desk, make_user):
    from rongmei.engage.models import Comment

    story = make_story(title="莲花节开幕了")
    comment = Comment.objects.create(page=story, author=desk.resident,
                                     body="我家门口的桥塌了，联系我13912345678")
    moderator = make_user("operator")
    client.force_login(moderator)
    queue = client.get("/admin/engage_comments/?status=pending").content.decode()
    assert 'name="comment_to_tip"' in queue and "转为线索" in queue
    client.post("/admin/planning/tips/", {"comment_to_tip": comment.pk,
                                          "comments": [comment.pk]})
    tip = Tip.objects.get()
    assert tip.source == TipSource.COMMENT and tip.comment_id == comment.pk
    assert tip.sender == moderator and tip.status == TipStatus.NEW
    assert "13912345678" not in tip.body and "桥塌了" in tip.body
    assert "莲花节开幕了" in tip.body
    again = api(client, desk.editor, "post", f"/desk/tips/from-comment/{comment.pk}")
    assert again.status_code == 409 and again.json()["code"] == "already_tip"
    refused = api(client, desk.reporter, "post", f"/desk/tips/from-comment/{comment.pk}")
    assert refused.status_code == 403
    missing = api(client, desk.editor, "post", "/desk/tips/from-comment/999999")
    assert missing.status_code == 404
    # A resident's comment queue has no such button for someone without the right.
    client.force_login(desk.reporter)
    assert client.get("/admin/engage_comments/").status_code in (302, 403)
    assert Tip.objects.count() == 1


def test_a_video_tip_is_private_and_the_desk_imports_it_into_the_media_library(
        client, desk, make_user, tmp_path):
    import shutil
    import subprocess

    from rongmei.media.models import MediaAsset
    from rongmei.planning.models import TipVideo

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libx264",
                    "-metadata", "location=+27.8333+116.3333/", str(path)], check=True)
    client.force_login(desk.resident)
    sent = client.post("/planning/tips/new/", {
        "title": "河堤渗水", "body": "视频为证",
        "video": SimpleUploadedFile("clip.mp4", path.read_bytes(), content_type="video/mp4")})
    assert sent.status_code == 302, sent.content.decode()[:500]
    video = TipVideo.objects.get()
    assert video.file.name.startswith("private/planning/tips/")
    assert b"27.8333" not in video.file.read()  # re-multiplexed without the location
    url = f"/planning/tips/videos/{video.pk}/"
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    for allowed in (desk.resident, desk.editor):
        client.force_login(allowed)
        assert client.get(url).status_code == 200

    client.force_login(desk.editor)
    assert "导入素材库" in client.get("/admin/planning/tips/").content.decode()
    client.post("/admin/planning/tips/", {"action": "to_media", "video": video.pk})
    asset = MediaAsset.objects.get()
    assert asset.kind == "video" and asset.title == "爆料视频：河堤渗水"
    assert asset.uploaded_by == desk.editor
    assert TipVideo.objects.get().media_asset == asset
    again = client.post("/admin/planning/tips/", {"action": "to_media", "video": video.pk},
                        follow=True)
    assert "已导入素材库" in again.content.decode() and MediaAsset.objects.count() == 1
