"""微信公众号 against a stand-in of api.weixin.qq.com that checks tokens, uploads, the draft
article's limits and the publish/poll/delete flow, and answers like WeChat (errcode JSON)."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from rongmei.outlets import services
from rongmei.outlets.adapters.wechat_mp import wechat_html
from rongmei.outlets.delivery import deliver_due
from rongmei.outlets.models import Delivery

from .conftest import make_outlet, make_snapshot

pytestmark = pytest.mark.django_db
APPID, SECRET = "wx8a5b7c9d0e1f2a3b", "e5f1c0d2b3a4958677a8b9c0d1e2f3a4"


class FakeWechat:
    """State of the stand-in: issued tokens, uploads, drafts, publish jobs."""

    def __init__(self):
        self.tokens = []
        self.valid = set()
        self.fail = {}  # path -> list of (status, answer) to give before behaving
        self.polls_before_done = 1
        self.drafts = {}
        self.deleted = []

    def issue(self):
        token = f"TOKEN{len(self.tokens) + 1}"
        self.tokens.append(token)
        self.valid = {token}
        return {"access_token": token, "expires_in": 7200}

    def route(self, r):
        if r.path == "/cgi-bin/stable_token":
            body = r.json()
            assert body["grant_type"] == "client_credential"
            if (body["appid"], body["secret"]) != (APPID, SECRET):
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
            return 200, self.issue()
        if self.fail.get(r.path):
            return self.fail[r.path].pop(0)
        if r.query.get("access_token") not in self.valid:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if r.path == "/cgi-bin/media/uploadimg":
            name, data, ctype = r.files["media"]
            Image.open(io.BytesIO(data)).verify()
            assert ctype in ("image/jpeg", "image/png")
            return 200, {"url": f"http://mmbiz.qpic.cn/mmbiz_jpg/{name}/0"}
        if r.path == "/cgi-bin/material/add_material":
            assert r.query["type"] == "image"
            image = Image.open(io.BytesIO(r.files["media"][1]))
            assert abs(image.width / image.height - 2.35) < 0.01, image.size
            return 200, {"media_id": "THUMB_1", "url": "http://mmbiz.qpic.cn/thumb"}
        if r.path == "/cgi-bin/draft/add":
            [article] = r.json()["articles"]
            assert len(article["title"]) <= 64 and len(article["author"]) <= 8
            assert len(article["digest"]) <= 120
            assert article["thumb_media_id"] == "THUMB_1"
            content = article["content"]
            for banned in ("<script", "<iframe", "<a ", "class=", "evil.example"):
                assert banned not in content, banned
            assert 'src="http://mmbiz.qpic.cn/' in content and "rm.example.cn" not in content
            media_id = f"MEDIA_{len(self.drafts) + 1}"
            self.drafts[media_id] = article
            return 200, {"media_id": media_id}
        if r.path == "/cgi-bin/freepublish/submit":
            assert r.json()["media_id"] in self.drafts
            return 200, {"errcode": 0, "errmsg": "ok", "publish_id": 2247483850}
        if r.path == "/cgi-bin/freepublish/get":
            assert r.json()["publish_id"] == "2247483850"
            if self.polls_before_done:
                self.polls_before_done -= 1
                return 200, {"publish_id": "2247483850", "publish_status": 1}
            return 200, {"publish_id": "2247483850", "publish_status": 0,
                         "article_id": "ARTICLE_ID_1",
                         "article_detail": {"count": 1, "item": [
                             {"idx": 1, "article_url": "https://mp.weixin.qq.com/s/abc"}]},
                         "fail_idx": []}
        if r.path == "/cgi-bin/freepublish/delete":
            self.deleted.append(r.json()["article_id"])
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "unknown path"}


@pytest.fixture
def wechat(standin):
    fake = FakeWechat()
    server = standin(fake.route)
    fake.server = server
    fake.outlet = make_outlet("wechat_mp", api_base=server.url, app_id=APPID, secret=SECRET)
    return fake


def distribute(outlet, capture, **overrides):
    with capture(execute=True):
        return services.distribute(make_snapshot(**overrides), outlet_ids=[outlet.pk])


def test_publish_runs_the_documented_flow_and_records_the_article(
        wechat, django_capture_on_commit_callbacks):
    distribute(wechat.outlet, django_capture_on_commit_callbacks,
               headline="标" * 80, summary="摘" * 200, byline="记者 欧阳长名字很长的人")
    delivery = Delivery.objects.get()
    assert delivery.status == "success", delivery.last_error_detail
    assert delivery.remote_id == "ARTICLE_ID_1"
    assert delivery.remote_url == "https://mp.weixin.qq.com/s/abc"
    assert wechat.server.paths() == [
        "/cgi-bin/stable_token", "/cgi-bin/media/uploadimg", "/cgi-bin/material/add_material",
        "/cgi-bin/draft/add", "/cgi-bin/freepublish/submit", "/cgi-bin/freepublish/get",
        "/cgi-bin/freepublish/get"]
    article = next(iter(wechat.drafts.values()))
    assert article["content_source_url"] == "https://rm.example.cn/news/2026/11/lianhua/"
    assert article["title"].endswith("…") and len(article["title"]) == 64
    assert len(article["digest"]) == 120
    assert 'style="text-indent:2em"' in article["content"]


def test_an_expired_token_is_refreshed_once_and_the_call_repeated(
        wechat, django_capture_on_commit_callbacks):
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    wechat.valid = set()  # WeChat expired the cached token early
    wechat.polls_before_done = 0
    distribute(wechat.outlet, django_capture_on_commit_callbacks, headline="第二篇",
               story_key="story:2")
    second = Delivery.objects.get(story_key="story:2")
    assert second.status == "success"
    assert wechat.tokens == ["TOKEN1", "TOKEN2"]
    token_calls = [r for r in wechat.server.requests if r.path == "/cgi-bin/stable_token"]
    assert token_calls[1].json()["force_refresh"] is True


def test_server_errors_retry_and_resume_without_uploading_again(
        wechat, django_capture_on_commit_callbacks):
    wechat.fail["/cgi-bin/draft/add"] = [(502, b"Bad Gateway"),
                                         (200, {"errcode": -1, "errmsg": "system error"})]
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and "HTTP 502" in delivery.last_error
    assert delivery.remote_state["thumb_media_id"] == "THUMB_1"
    for expected in ("retrying", "success"):
        Delivery.objects.update(next_attempt_at=timezone.now())
        deliver_due()
        delivery.refresh_from_db()
        assert delivery.status == expected
    assert wechat.server.paths().count("/cgi-bin/media/uploadimg") == 1
    assert wechat.server.paths().count("/cgi-bin/material/add_material") == 1
    assert delivery.attempts == 3


def test_publishing_still_in_progress_is_polled_later(wechat,
                                                      django_capture_on_commit_callbacks,
                                                      settings):
    settings.OUTLETS_WECHAT_POLL_TRIES = 1
    wechat.polls_before_done = 2
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.attempts == 0
    assert "正在发布" in delivery.note
    Delivery.objects.update(next_attempt_at=timezone.now())
    deliver_due()
    Delivery.objects.update(next_attempt_at=timezone.now())
    deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "success" and delivery.remote_id == "ARTICLE_ID_1"
    assert wechat.server.paths().count("/cgi-bin/freepublish/submit") == 1


def test_a_wrong_appsecret_fails_at_once_and_is_never_logged(
        standin, django_capture_on_commit_callbacks, caplog):
    fake = FakeWechat()
    server = standin(fake.route)
    outlet = make_outlet("wechat_mp", api_base=server.url, app_id=APPID, secret="wrong-secret")
    distribute(outlet, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert delivery.last_error == "AppSecret 无效，请检查渠道设置"
    assert "wrong-secret" not in delivery.last_error_detail
    assert "wrong-secret" not in caplog.text
    assert len(server.requests) == 1


def test_platform_review_rejection_is_a_permanent_failure(
        wechat, django_capture_on_commit_callbacks):
    original = wechat.route

    def rejecting(r):
        if r.path == "/cgi-bin/freepublish/get":
            return 200, {"publish_id": "2247483850", "publish_status": 4, "fail_idx": [1]}
        return original(r)

    wechat.server.route = rejecting
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.last_error == "公众号平台审核不通过"


def test_takedown_deletes_the_published_article(wechat, django_capture_on_commit_callbacks):
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [takedown] = services.retract("story:1", reason="信息有误")
    takedown.refresh_from_db()
    assert takedown.status == "success" and wechat.deleted == ["ARTICLE_ID_1"]


def test_correction_is_a_new_article_with_the_note_on_top(
        wechat, django_capture_on_commit_callbacks):
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    wechat.polls_before_done = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.correct(make_snapshot(), note="采访对象姓名应为“李华”")
    correction = Delivery.objects.get(action="correction")
    assert correction.status == "success"
    article = wechat.drafts["MEDIA_2"]
    assert article["title"].startswith("更正：")
    assert "更正说明：采访对象姓名应为“李华”" in article["content"]


def test_wechat_html_keeps_only_the_allowed_subset():
    html = ('<p class="x" style="color:red;position:fixed" onclick="x()">文</p>'
            '<form><input name="q"></form><a href="https://e.example/">链接文字</a>'
            '<img src="https://known/1.jpg"><img src="https://unknown/2.jpg">')
    out = wechat_html(html, image_urls={"https://known/1.jpg"})
    assert out.startswith('<p style="color:red">文</p>')
    assert "链接文字" in out and "<a" not in out and "<form" not in out
    assert "https://known/1.jpg" in out and "unknown" not in out


def test_a_story_without_any_image_cannot_go_to_the_official_account(
        wechat, django_capture_on_commit_callbacks):
    distribute(wechat.outlet, django_capture_on_commit_callbacks, cover=None, images=[])
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "封面" in delivery.last_error
    assert wechat.server.requests == []


def test_retracting_while_wechat_is_still_publishing_deletes_the_article_when_it_lands(
        wechat, django_capture_on_commit_callbacks, settings):
    settings.OUTLETS_WECHAT_POLL_TRIES = 1
    wechat.polls_before_done = 1
    distribute(wechat.outlet, django_capture_on_commit_callbacks)
    assert Delivery.objects.get().status == "retrying"  # submitted, still publishing
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retract("story:1", reason="撤稿") == []
    Delivery.objects.update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        deliver_due()
    assert wechat.deleted == ["ARTICLE_ID_1"]
    assert set(Delivery.objects.values_list("action", "status")) == {
        ("publish", "success"), ("takedown", "success")}
