"""The newsroom from a reporter's draft to every outlet, and a takedown, end to end.

A reporter writes a story with a photo and a video (transcoded by the real ffmpeg) and
picks the WeChat official account and Weibo → 初审 / 复审 / 终审 approve it → it publishes at
its scheduled minute (the per-minute job) → the app feed, RSS and the ninjs feed carry it,
and both stand-in platforms receive it with status success → a takedown reaches exactly
those two outlets (not the webhook outlet the story never went to). A blocked word stops
another story at the first review.
"""

import json
import subprocess
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from rongmei.media.tests.conftest import require_ffmpeg
from rongmei.news import services
from rongmei.news.models import ArticlePage, PublishBlock, StoryOutletVersion
from rongmei.outlets.models import Delivery
from rongmei.outlets.tests.conftest import make_outlet
from rongmei.outlets.tests.test_wechat_mp import APPID, SECRET, FakeWechat
from rongmei.outlets.tests.test_weibo_douyin import WEIBO_TOKEN, FakeWeibo

from .conftest import make_image

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def platforms(standin, settings):  # standin: the root conftest's stand-in server
    settings.OUTLETS_WECHAT_POLL_INTERVAL = 0
    wechat, weibo = FakeWechat(), FakeWeibo()
    wechat.polls_before_done = 0
    wechat.server, weibo.server = standin(wechat.route), standin(weibo.route)
    wechat.outlet = make_outlet("wechat_mp", name="莲乡融媒公众号", api_base=wechat.server.url,
                                app_id=APPID, secret=SECRET)
    weibo.outlet = make_outlet("weibo", name="莲乡融媒微博", api_base=weibo.server.url,
                               secret=WEIBO_TOKEN, rip="203.0.113.7")
    webhook = make_outlet("webhook", name="县政府网站", api_base="http://127.0.0.1:9/hook")
    return wechat, weibo, webhook


def a_video(tmp_path, reporter):
    from rongmei.media.services import media_upload

    require_ffmpeg()
    path = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=320x180:rate=10:d=1", "-f", "lavfi", "-i",
                    "sine=frequency=440:d=1", "-shortest", "-c:v", "libx264", "-preset",
                    "ultrafast", "-c:a", "aac", str(path)], check=True, timeout=60)
    upload = SimpleUploadedFile("莲田航拍.mp4", path.read_bytes(), content_type="video/mp4")
    asset = media_upload(actor=reporter, kind="video", title="莲田航拍", upload=upload)
    asset.refresh_from_db()
    assert asset.status == "ready", asset.error
    return asset


def approve(page, user):
    page.refresh_from_db()
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, user, "approve")


def test_story_goes_from_draft_to_every_outlet_and_back(newsroom, platforms, tmp_path, client,
                                                       monkeypatch):
    wechat, weibo, webhook = platforms
    people = newsroom.people
    photo = make_image("莲田", size=(1200, 800))
    video = a_video(tmp_path, people.reporter)

    folder = services.archive_for(newsroom.center)
    story = ArticlePage(
        title="莲乡万亩荷塘迎来采莲季", channel=newsroom.channel, cover=photo, live=False,
        summary="全县白莲种植面积达11万亩，莲农迎来丰收年。", author="李明",
        responsible_editor="赵六", owner=people.reporter,
        body=[("paragraph", "<p>九月的莲乡，荷香满田，莲农们忙着采收莲蓬。</p>"),
              ("image", {"image": photo, "caption": "采莲的莲农"}),
              ("video", video)])
    folder.add_child(instance=story)
    assert story.slug.isascii()  # a Chinese title still makes a link that shares cleanly
    # The Weibo stand-in checks the post links to the story.
    from rongmei.outlets.tests import test_weibo_douyin
    monkeypatch.setattr(test_weibo_douyin, "URI", services.absolute(story.url))
    story.outlet_versions = [
        StoryOutletVersion(outlet=wechat.outlet, digest="万亩荷塘迎来采莲季"),
        StoryOutletVersion(outlet=weibo.outlet, text="莲乡万亩荷塘迎来采莲季"),
    ]
    story.go_live_at = timezone.now() + timedelta(minutes=5)
    story.save_revision(user=people.reporter)
    story.get_workflow().start(story, people.reporter)

    approve(story, people.editor)
    approve(story, people.chief)
    approve(story, people.director)
    story.refresh_from_db()
    assert not story.live  # approved, waiting for its minute
    assert story.get_latest_revision().approved_go_live_at is not None

    import time_machine
    with time_machine.travel(story.go_live_at + timedelta(seconds=20), tick=True):
        call_command("news_publish_due")
    story.refresh_from_db()
    assert story.live

    # The app feed, RSS and the ninjs JSON feed carry it.
    feed = client.get("/api/v1/news/feed").json()["items"]
    assert feed[0]["title"] == "莲乡万亩荷塘迎来采莲季"
    assert "莲乡万亩荷塘迎来采莲季" in client.get("/feeds/rss.xml").content.decode()
    ninjs = json.loads(client.get("/feeds/ninjs.json").content)["associations"][0]
    assert ninjs["headlines"][0]["value"] == "莲乡万亩荷塘迎来采莲季"
    page_html = client.get(story.url).content.decode()
    assert "<video" in page_html and "采莲的莲农" in page_html

    # Delivered to both platforms, never to the webhook outlet it was not sent to.
    deliveries = {d.outlet_id: d for d in Delivery.objects.filter(action="publish")}
    assert set(deliveries) == {wechat.outlet.pk, weibo.outlet.pk}
    assert {d.status for d in deliveries.values()} == {"success"}, [
        (d.outlet.name, d.status, d.last_error) for d in deliveries.values()]
    assert wechat.drafts and weibo.posts
    [article] = wechat.drafts.values()
    assert article["digest"] == "万亩荷塘迎来采莲季"

    # 撤稿: unpublishing takes it down on exactly the outlets that received it.
    story.unpublish(user=people.director)
    takedowns = Delivery.objects.filter(action="takedown")
    assert {d.outlet_id for d in takedowns} == {wechat.outlet.pk, weibo.outlet.pk}
    assert {d.status for d in takedowns} == {"success"}
    assert wechat.deleted and not weibo.posts
    assert not Delivery.objects.filter(outlet=webhook).exists()
    assert client.get("/api/v1/news/feed").json()["items"] == []


def test_a_blocked_word_stops_the_story_at_review(newsroom):
    people = newsroom.people
    folder = services.archive_for(newsroom.center)
    story = ArticlePage(title="便民信息汇总", live=False, owner=people.reporter,
                        body=[("paragraph", "<p>提供办证刻章服务，价格优惠。</p>")])
    folder.add_child(instance=story)
    story.save_revision(user=people.reporter)
    story.get_workflow().start(story, people.reporter)
    approve(story, people.editor)
    story.refresh_from_db()
    assert not story.live
    assert story.current_workflow_state is None or story.workflow_states.get().status == "needs_changes"
    assert PublishBlock.objects.filter(page_id=story.pk).exists()
