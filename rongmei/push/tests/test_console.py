"""The 消息推送 console screen: who sees it, sending by hand, validation, history."""

from __future__ import annotations

import json

import pytest

from rongmei.core.errors import PermissionDeniedError
from rongmei.push import services
from rongmei.push.models import PushMessage

from .conftest import subscribe

pytestmark = pytest.mark.django_db
SCREEN = "/admin/push/"


@pytest.mark.parametrize("role", ["operator", "director", "administrator"])
def test_senders_see_the_menu_and_the_screen(client, make_user, role):
    client.force_login(make_user(role))
    home = client.get("/admin/").content.decode()  # the menu is JSON in the page
    assert json.dumps("消息推送") in home and SCREEN in home
    page = client.get(SCREEN)
    assert page.status_code == 200 and "发送突发新闻推送" in page.content.decode()


@pytest.mark.parametrize("role", ["reporter", "editor", "chief_editor", "unit_admin",
                                  "wenzheng_handler", "propaganda"])
def test_other_staff_are_kept_out(client, make_user, role, county):
    client.force_login(make_user(role, unit=county.center))
    assert SCREEN not in client.get("/admin/").content.decode()
    assert client.get(SCREEN).status_code in (302, 403)
    assert client.post(SCREEN, {"title": "t", "body": "b", "url": "/"}).status_code in (302, 403)
    assert not PushMessage.objects.exists()


def test_residents_and_strangers_are_kept_out(client, make_user):
    assert client.get(SCREEN).status_code == 302  # to the login page
    client.force_login(make_user())
    assert client.get(SCREEN).status_code in (302, 403)


@pytest.mark.parametrize("role", ["editor", "reporter", "merchant"])
def test_broadcast_refuses_actors_who_may_not_send(make_user, role):
    with pytest.raises(PermissionDeniedError):
        services.broadcast(title="标题", body="内容", url="/", actor=make_user(role))


def test_operator_sends_by_hand_and_sees_the_counts(
        client, make_user, push_service, django_capture_on_commit_callbacks):
    subscribe(client, push_service.new_subscription("a"))
    subscribe(client, push_service.new_subscription("gone", statuses=[410]))
    operator = make_user("operator")
    client.force_login(operator)
    assert "<strong data-subscribers>2</strong>" in client.get(SCREEN).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SCREEN, {"title": "暴雨红色预警", "body": "今夜有特大暴雨，请减少外出。",
                                        "url": "http://testserver/news/9/?from=push"})
    assert response.status_code == 302
    message = PushMessage.objects.get()
    assert (message.actor, message.url, message.delivered_count, message.removed_count) == (
        operator, "/news/9/?from=push", 1, 1)
    assert push_service.payloads("a")[0]["url"] == "/news/9/?from=push"
    page = client.get(SCREEN).content.decode()
    assert "暴雨红色预警" in page and "已完成" in page
    assert "<strong data-subscribers>1</strong>" in page


@pytest.mark.parametrize(("form", "message"), [
    ({"title": "", "body": "内容", "url": "/"}, "请填写标题"),
    ({"title": "标" * 31, "body": "内容", "url": "/"}, "标题最多30个字"),
    ({"title": "标题", "body": "字" * 81, "url": "/"}, "内容最多80个字"),
    ({"title": "标题", "body": "<b></b>", "url": "/"}, "请填写内容"),
    ({"title": "标题", "body": "内容", "url": "https://evil.example.com/x"}, "链接必须是本站地址"),
    ({"title": "标题", "body": "内容", "url": "javascript:alert(1)"}, "链接必须是本站地址"),
    ({"title": "标题", "body": "内容", "url": "//evil.example.com/x"}, "链接必须是本站地址"),
    ({"title": "标题", "body": "内容", "url": "news/1"}, "链接应以 / 开头"),
    ({"title": "标题", "body": "内容", "url": ""}, "请填写链接"),
])
def test_bad_input_is_explained_and_nothing_is_sent(client, make_user, form, message):
    client.force_login(make_user("operator"))
    response = client.post(SCREEN, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="标题"' in page or not form["title"] or len(form["title"]) > 30
    assert not PushMessage.objects.exists()


def test_markup_is_stripped_from_title_and_body(django_capture_on_commit_callbacks):
    message = services.broadcast(title="<script>x</script>停水通知", body="A &amp; B <i>区</i>",
                                 url="/")
    assert (message.title, message.body) == ("停水通知", "A & B 区")  # script content goes too


def test_the_same_push_twice_within_ten_minutes_is_refused(client, make_user):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(make_user("operator"))
    form = {"title": "停水通知", "body": "明日城区停水。", "url": "/news/1/"}
    assert client.post(SCREEN, form).status_code == 302
    again = client.post(SCREEN, form)
    assert again.status_code == 409 and "10分钟内已发送过相同的推送" in again.content.decode()
    assert PushMessage.objects.count() == 1
    PushMessage.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert client.post(SCREEN, form).status_code == 302
    assert PushMessage.objects.count() == 2
