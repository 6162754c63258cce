"""A video or audio story never goes live (nor out to an outlet) before its transcode is
ready: 终审 passed early waits, and the every-minute timer publishes it once ready."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from rongmei.media.tests.conftest import make_asset
from rongmei.news import services
from rongmei.news.gate import MediaNotReady
from rongmei.news.models import FeedEntry, VideoPage

pytestmark = pytest.mark.django_db


def _approve(client, page, user):
    page.refresh_from_db()
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action",
                  args=(page.pk, "approve", page.current_workflow_task_state.pk))
    assert client.post(url, {"comment": ""}).status_code == 302


def test_a_video_story_waits_for_its_transcode(newsroom, client, capsys):
    from wagtail.models import Workflow

    people = newsroom.people
    asset = make_asset(status="processing", title="莲田航拍")
    page = VideoPage(title="莲田航拍视频", video=asset, owner=people.reporter, live=False)
    services.archive_for(newsroom.center).add_child(instance=page)
    page.save_revision(user=people.reporter)
    Workflow.objects.get(name="三审三校").start(page, people.reporter)
    for user in (people.editor, people.chief, people.director):
        _approve(client, page, user)
    page.refresh_from_db()
    assert not page.live and page.workflow_states.get().status == "approved"
    with pytest.raises(MediaNotReady):
        page.get_latest_revision().publish()  # the system cannot push it out either
    call_command("news_publish_due")
    assert "等待转码 1 篇" in capsys.readouterr().out
    page.refresh_from_db()
    assert not page.live and not FeedEntry.objects.filter(page=page).exists()
    asset.status, asset.output = "ready", "av/out/ok.mp4"
    asset.save()
    call_command("news_publish_due")
    page.refresh_from_db()
    assert page.live and FeedEntry.objects.filter(page=page).exists()
    assert not page.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_a_failed_transcode_keeps_the_story_off_line(newsroom):
    page = VideoPage(title="坏视频", video=make_asset(status="failed"), live=False)
    services.archive_for(newsroom.center).add_child(instance=page)
    with pytest.raises(MediaNotReady, match="尚未转码完成"):
        page.save_revision().publish()
