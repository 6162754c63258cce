"""Video entries go through the media pipeline: checked by ffprobe, transcoded after the
upload commits, reviewed like other entries, and public only once approved and ready."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.activities.models import Contest, Entry
from rongmei.media.models import MediaStatus

from .conftest import API, api_post, make_contest, settle_votes

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg")]


def clip(tmp_path) -> io.BytesIO:
    path = tmp_path / "entry.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=320x180:rate=10:d=1", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True, timeout=60)
    data = io.BytesIO(path.read_bytes())
    data.name = "entry.mp4"
    return data


def test_a_video_entry_is_public_only_once_approved_and_transcoded(client, ax, tmp_path):
    contest = make_contest(ax.operator, allow_video=True)
    author = ax.people[0]
    api_post(client, author, f"/contests/{contest.pk}/register",
             {"answers": {"name": "李华", "phone": "13812345678"}})
    submitted = client.post(f"{API}/contests/{contest.pk}/entries",
                            {"title": "红军桥的故事", "video": clip(tmp_path)})
    assert submitted.status_code == 200, submitted.json()
    entry = Entry.objects.select_related("video").get()
    assert entry.video.status == MediaStatus.PENDING and entry.video.uploaded_by == author
    # Approved while the transcode is still to run: numbered, but not public yet.
    client.force_login(ax.operator)
    page = client.get(f"/admin/activities/contests/{contest.pk}/").content.decode()
    assert "转码完成后才公开" in page
    client.post(f"/admin/activities/contests/{contest.pk}/", {"action": "approve",
                                                              "entry": entry.pk})
    assert Entry.objects.get(pk=entry.pk).number == 1
    assert client.get(f"{API}/entries/{entry.pk}").status_code == 404
    assert client.get(f"{API}/contests/{contest.pk}/entries").json() == []
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    assert api_post(client, ax.people[1], f"/entries/{entry.pk}/vote").status_code == 404
    # The media pipeline's worker transcodes it; now it is shown, with the transcoded file.
    from rongmei.media.transcoding import transcode_asset

    assert transcode_asset(entry.video_id) == MediaStatus.READY
    shown = client.get(f"{API}/contests/{contest.pk}/entries").json()
    assert [e["number"] for e in shown] == [1] and shown[0]["video_url"].endswith(".mp4")
    assert 'data-testid="ax-video"' in client.get(f"/activities/entries/{entry.pk}/")\
        .content.decode()
    settle_votes()  # the entry rules workers cached expire (services.votes.RULES_SECONDS)
    assert api_post(client, ax.people[1], f"/entries/{entry.pk}/vote").status_code == 200


def test_videos_are_refused_where_not_allowed_or_not_video(client, ax, tmp_path):
    contest = make_contest(ax.operator)  # photos and text only
    author = ax.people[0]
    api_post(client, author, f"/contests/{contest.pk}/register",
             {"answers": {"name": "李华", "phone": "13812345678"}})
    answer = client.post(f"{API}/contests/{contest.pk}/entries",
                         {"title": "红军桥的故事", "video": clip(tmp_path)})
    assert answer.status_code == 400 and answer.json()["message"] == "本次评选不接受视频作品"
    Contest.objects.filter(pk=contest.pk).update(allow_video=True)
    fake = io.BytesIO(b"<html>not a video</html>" * 50)
    fake.name = "entry.mp4"
    answer = client.post(f"{API}/contests/{contest.pk}/entries",
                         {"title": "红军桥的故事", "video": fake})
    assert answer.status_code == 400, answer.json()
    assert not Entry.objects.exists()
