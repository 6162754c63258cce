"""微博 and 抖音 against stand-ins that check the token, text limits and multipart parts."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from rongmei.outlets import services
from rongmei.outlets.adapters.weibo import weibo_length
from rongmei.outlets.models import Delivery

from .conftest import make_outlet, make_snapshot, store_image

pytestmark = pytest.mark.django_db
WEIBO_TOKEN = "2.00weiboTOKENxyz"
DOUYIN_TOKEN = "act.1d1021d2aee3d41fee2d2add43456badMFZ"
URI = "https://rm.example.cn/news/2026/11/lianhua/"


class FakeWeibo:
    def __init__(self, *, token=WEIBO_TOKEN):
        self.token = token
        self.posts = {}
        self.pics = []

    def route(self, r):
        fields = r.form
        if fields.get("access_token") != self.token:
            return 400, {"error": "expired_token", "error_code": 21327,
                         "request": r.path}
        if r.path == "/2/statuses/upload_pic.json":
            Image.open(io.BytesIO(r.files["pic"][1])).verify()
            self.pics.append(r.files["pic"][0])
            return 200, {"pic_id": f"pic{len(self.pics)}"}
        if r.path in ("/2/statuses/share.json", "/2/statuses/upload_url_text.json"):
            status = fields["status"]
            assert weibo_length(status) <= 140, status
            assert URI in status and "#" not in status
            assert fields["rip"] == "203.0.113.7"
            if r.path == "/2/statuses/share.json" and "pic" in r.files:
                Image.open(io.BytesIO(r.files["pic"][1])).verify()
            if r.path.endswith("upload_url_text.json"):
                assert len(fields["pic_id"].split(",")) <= 9
            post_id = 4900000000000000 + len(self.posts) + 1
            self.posts[str(post_id)] = status
            return 200, {"id": post_id, "idstr": str(post_id), "mid": str(post_id),
                         "text": status, "user": {"idstr": "1234567890"}}
        if r.path == "/2/statuses/destroy.json":
            if fields["id"] not in self.posts:
                return 400, {"error": "target weibo does not exist!", "error_code": 20101}
            del self.posts[fields["id"]]
            return 200, {"idstr": fields["id"]}
        return 404, {"error": "no such api", "error_code": 10014}


@pytest.fixture
def weibo(standin):
    fake = FakeWeibo()
    fake.server = standin(fake.route)
    fake.outlet = make_outlet("weibo", api_base=fake.server.url, secret=WEIBO_TOKEN,
                              rip="203.0.113.7")
    return fake


def test_weibo_share_keeps_the_text_within_140_with_the_link_and_one_picture(
        weibo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(summary="莲" * 300 + "#话题#"),
                            outlet_ids=[weibo.outlet.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == "success", delivery.last_error_detail
    [request] = weibo.server.requests
    assert request.path == "/2/statuses/share.json" and "pic" in request.files
    status = request.form["status"]
    assert status.endswith(" " + URI) and "…" in status
    assert delivery.remote_url == f"https://weibo.com/1234567890/{delivery.remote_id}"
    with django_capture_on_commit_callbacks(execute=True):
        [takedown] = services.retract("story:1", reason="撤稿")
    takedown.refresh_from_db()
    assert takedown.status == "success" and weibo.posts == {}


def test_weibo_multi_image_uploads_at_most_nine(standin, django_capture_on_commit_callbacks):
    fake = FakeWeibo()
    server = standin(fake.route)
    outlet = make_outlet("weibo", api_base=server.url, secret=WEIBO_TOKEN, rip="203.0.113.7",
                         multi_image=True)
    images = [{"file": store_image(f"news/p{n}.jpg", size=(300, 200)),
               "url": f"https://rm.example.cn/p{n}.jpg", "caption": ""} for n in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(type="picture", images=images),
                            outlet_ids=[outlet.pk])
    assert Delivery.objects.get().status == "success"
    assert len(fake.pics) == 9
    assert server.paths()[-1] == "/2/statuses/upload_url_text.json"


def test_an_expired_weibo_token_fails_without_retry(standin,
                                                    django_capture_on_commit_callbacks):
    fake = FakeWeibo(token="a-newer-token")
    server = standin(fake.route)
    outlet = make_outlet("weibo", api_base=server.url, secret=WEIBO_TOKEN, rip="203.0.113.7")
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[outlet.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "授权已过期" in delivery.last_error
    assert WEIBO_TOKEN not in delivery.last_error_detail


def test_weibo_correction_is_its_own_post(weibo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[weibo.outlet.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.correct(make_snapshot(), note="时间应为9月3日")
    statuses = list(weibo.posts.values())
    assert statuses[1].startswith("【更正】") and "时间应为9月3日" in statuses[1]


class FakeDouyin:
    def __init__(self):
        self.videos, self.items, self.fail_upload = {}, {}, []

    def route(self, r):
        if r.headers.get("access-token") != DOUYIN_TOKEN:
            return 200, {"data": {"error_code": 2190008, "description": "access_token过期"},
                         "extra": {"error_code": 2190008}}
        assert r.query["open_id"] == "open-id-123"
        if r.path == "/video/upload/":
            if self.fail_upload:
                return self.fail_upload.pop(0)
            _name, data, ctype = r.files["video"]
            assert data.startswith(b"\x00\x00\x00\x18ftypmp42") and ctype == "video/mp4"
            video_id = f"v0200f{len(self.videos)}"
            self.videos[video_id] = data
            return 200, {"data": {"error_code": 0, "description": "",
                                  "video": {"video_id": video_id, "width": 720,
                                            "height": 1280}},
                         "extra": {"error_code": 0}}
        if r.path == "/video/create/":
            body = r.json()
            assert body["video_id"] in self.videos
            title = body["text"].split(" #")[0]
            assert len(title) <= 55 and body["text"].count("#") <= 5
            item_id = f"@9VwKzuuES8gmaXS{len(self.items)}"
            self.items[item_id] = body["text"]
            return 200, {"data": {"error_code": 0, "description": "", "item_id": item_id},
                         "extra": {"error_code": 0}}
        if r.path == "/video/delete/":
            self.items.pop(r.json()["item_id"])
            return 200, {"data": {"error_code": 0, "description": ""}, "extra": {}}
        return 404, {}


def video_snapshot(**overrides):
    name = default_storage.save("video/lianhua.mp4",
                                ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64))
    return make_snapshot(type="video", video={
        "file": name, "url": f"https://rm.example.cn/media/{name}", "poster_file": None,
        "duration": 42.0}, **overrides)


def test_douyin_uploads_then_creates_with_topics_and_takes_down(
        standin, django_capture_on_commit_callbacks):
    fake = FakeDouyin()
    fake.fail_upload = [(504, b"gateway timeout")]
    server = standin(fake.route)
    outlet = make_outlet("douyin", api_base=server.url, secret=DOUYIN_TOKEN,
                         open_id="open-id-123")
    versions = {str(outlet.pk): {"title": "莲" * 70, "digest": "", "text": "",
                                 "cover_file": None,
                                 "topics": ["广昌", "#白莲#", "乡村 振兴", "a", "b", "c"]}}
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(video_snapshot(versions=versions), outlet_ids=[outlet.pk])
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying"  # 504 on upload
    from django.utils import timezone

    from rongmei.outlets.delivery import deliver_due

    Delivery.objects.update(next_attempt_at=timezone.now())
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "success" and delivery.remote_id == "@9VwKzuuES8gmaXS0"
    text = fake.items[delivery.remote_id]
    assert text.endswith("#广昌 #白莲 #乡村振兴 #a #b")
    assert server.requests[-1].headers["access-token"] == DOUYIN_TOKEN
    with django_capture_on_commit_callbacks(execute=True):
        services.retract("story:1", reason="撤稿")
    assert fake.items == {}


def test_douyin_refuses_a_story_without_video_and_an_expired_token(
        standin, django_capture_on_commit_callbacks):
    fake = FakeDouyin()
    server = standin(fake.route)
    good = make_outlet("douyin", api_base=server.url, secret=DOUYIN_TOKEN,
                       open_id="open-id-123", name="good")
    stale = make_outlet("douyin", api_base=server.url, secret="act.old",
                        open_id="open-id-123", name="stale")
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(make_snapshot(), outlet_ids=[good.pk])
    assert "没有视频" in Delivery.objects.get(outlet=good).last_error
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(video_snapshot(story_key="story:v"), outlet_ids=[stale.pk])
    failed = Delivery.objects.get(outlet=stale)
    assert failed.status == "failed" and "授权已过期" in failed.last_error
    assert len(server.requests) == 1
