"""Comments through the doors residents and moderators use: the API and the console."""

import pytest

from rongmei.live.models import CommentMode, CommentStatus, LiveComment

from .conftest import go_live

pytestmark = pytest.mark.django_db


def api(room, tail=""):
    return f"/api/v1/live/rooms/{room.pk}{tail}"


def post_comment(client, room, body):
    return client.post(api(room, "/comments"), {"body": body}, content_type="application/json")


def poll(client, room):
    return client.get(f"/live/{room.pk}/poll").json()


def control(client, room, **data):
    return client.post(f"/admin/live/{room.pk}/", data)


def test_pre_moderated_comment_appears_only_after_approval(client, stage):
    room = go_live(stage.room)
    client.force_login(stage.people.resident)
    answer = post_comment(client, room, "开幕式真精彩")
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    assert client.get(api(room, "/comments")).json() == []
    assert client.get(api(room, "/me")).json()["pending"][0]["body"] == "开幕式真精彩"
    assert poll(client, room)["messages"] == []

    client.force_login(stage.people.editor)
    comment = LiveComment.objects.get()
    assert control(client, room, action="approve", comments=[comment.pk]).status_code == 302
    listed = client.get(api(room, "/comments")).json()
    assert [c["body"] for c in listed] == ["开幕式真精彩"]
    assert [m["body"] for m in poll(client, room)["messages"]] == ["开幕式真精彩"]


def test_post_moderated_comment_goes_out_at_once_and_a_removal_is_retracted(client, stage):
    room = go_live(stage.room)
    room.comment_mode = CommentMode.POST
    room.save()
    client.force_login(stage.people.resident)
    assert post_comment(client, room, "为家乡点赞").json()["status"] == "approved"
    comment = LiveComment.objects.get()
    assert [m["cid"] for m in poll(client, room)["messages"]] == [comment.pk]

    client.force_login(stage.people.editor)
    control(client, room, action="remove", comments=[comment.pk])
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REMOVED
    retract = poll(client, room)["priority"][0]
    assert retract["kind"] == "retract" and retract["cid"] == comment.pk


def test_a_review_word_holds_the_comment_even_in_post_moderated_rooms(client, stage, make_user):
    from rongmei.core import roles
    from rongmei.wordgate.services import word_create

    word_create(actor=make_user(roles.OPERATOR), word="小道消息", level="review")
    room = go_live(stage.room)
    room.comment_mode = CommentMode.POST
    room.save()
    client.force_login(stage.people.resident)
    answer = post_comment(client, room, "听说有小道消息")
    assert answer.json()["status"] == "pending"
    assert LiveComment.objects.get().flagged


@pytest.mark.parametrize("body, code, status", [
    ("", "empty_comment", 400),
    ("长" * 101, "comment_too_long", 400),
    ("这里有赌博网站", "comment_blocked", 400),
])
def test_bad_comments_are_refused_in_chinese_and_nothing_is_stored(client, stage, body, code,
                                                                   status, make_user):
    from rongmei.core import roles
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.services import word_create

    if not WordEntry.objects.filter(word="赌博网站").exists():
        word_create(actor=make_user(roles.OPERATOR), word="赌博网站", level="block")
    room = go_live(stage.room)
    client.force_login(stage.people.resident)
    answer = post_comment(client, room, body)
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["message"])
    assert "赌博" not in answer.json()["message"]  # the dictionary is never revealed
    assert not LiveComment.objects.exists()


def test_flooding_is_refused_with_429(client, stage):
    room = go_live(stage.room)
    client.force_login(stage.people.resident)
    codes = [post_comment(client, room, f"第{i}条").status_code for i in range(4)]
    assert codes[:2] == [200, 200] and codes[2] == 429
    assert LiveComment.objects.count() == 2
    assert "太快" in post_comment(client, room, "再来").json()["message"]


def test_signed_out_muted_closed_and_realname_rooms_refuse_comments(client, stage):
    room = go_live(stage.room)
    assert post_comment(client, room, "你好").status_code == 401

    client.force_login(stage.people.editor)
    resident = stage.people.resident
    control(client, room, action="mute", user=resident.pk, reason="刷屏")
    client.force_login(resident)
    answer = post_comment(client, room, "你好")
    assert answer.status_code == 403 and answer.json()["code"] == "muted"

    client.force_login(stage.people.editor)
    control(client, room, action="close_comments")
    client.force_login(stage.people.other)
    assert post_comment(client, room, "你好").json()["code"] == "comments_closed"

    room.refresh_from_db()
    room.comments_closed, room.require_realname = False, True
    room.save()
    assert post_comment(client, room, "你好").json()["code"] == "realname_required"
    assert not LiveComment.objects.exists()


def test_another_units_admin_cannot_moderate(client, stage):
    from django.utils import timezone

    from rongmei.live.services.rooms import room_create

    unit_room = room_create(actor=stage.people.hetang_admin, title="荷塘镇村晚",
                            unit=stage.county.hetang, starts_at=timezone.now())
    assert unit_room.review_status == "pending"
    assert client.get(f"/live/{unit_room.pk}/").status_code == 404  # not public before review
    client.force_login(stage.people.baishui_admin)
    response = control(client, unit_room, action="close_comments")
    unit_room.refresh_from_db()
    assert not unit_room.comments_closed
    assert response.status_code in (302, 403)

    client.force_login(stage.people.chief)
    control(client, unit_room, action="approve_room")
    unit_room.refresh_from_db()
    assert unit_room.review_status == "approved"
    assert client.get(f"/live/{unit_room.pk}/").status_code == 200


def test_a_reporter_pins_and_removes_only_their_own_live_blog_entries(client, stage, make_user):
    from rongmei.core import roles
    from rongmei.live.models import LivePost
    from rongmei.live.services.extras import post_create

    room = go_live(stage.room)
    reporter, colleague = make_user(roles.REPORTER), make_user(roles.REPORTER)
    theirs = post_create(actor=colleague, room_id=room.pk, body="记者现场：开幕式即将开始")
    mine = post_create(actor=reporter, room_id=room.pk, body="记者现场：演员已就位")
    client.force_login(reporter)
    for post in (theirs, mine):
        client.post(f"/admin/live/{room.pk}/", {"action": "post_remove", "post": post.pk})
    assert LivePost.objects.get(pk=theirs.pk).is_removed is False
    assert LivePost.objects.get(pk=mine.pk).is_removed is True
    client.force_login(stage.people.editor)  # the room's runners still tidy any entry
    client.post(f"/admin/live/{room.pk}/", {"action": "post_remove", "post": theirs.pk})
    assert LivePost.objects.get(pk=theirs.pk).is_removed is True


def test_a_unit_admin_editing_an_approved_room_asks_for_review_again(client, stage):
    from datetime import timedelta

    from django.utils import timezone

    from rongmei.live.models import LiveRoom, ReviewStatus
    from rongmei.live.services.rooms import room_create, room_review

    admin = stage.people.hetang_admin
    room = room_create(actor=admin, unit=stage.county.hetang, title="荷塘镇荷花节",
                       starts_at=timezone.now() + timedelta(hours=3))
    room_review(actor=stage.people.chief, room_id=room.pk, approve=True)
    client.force_login(admin)
    form = {"title": "荷塘镇荷花节（改）", "starts_at": (timezone.localtime(room.starts_at)
                                                      ).strftime("%Y-%m-%d %H:%M"),
            "intro": "", "comment_mode": "pre", "replay_publish": "on"}
    answer = client.post(f"/admin/live/{room.pk}/edit/", form)
    assert answer.status_code == 302, answer.content.decode()[:500]
    room = LiveRoom.objects.get(pk=room.pk)
    assert room.title == "荷塘镇荷花节（改）" and room.review_status == ReviewStatus.PENDING
    room_review(actor=stage.people.chief, room_id=room.pk, approve=True)
    go_live(room)  # on air: the unit can no longer change what residents are watching
    form["title"] = "另一个标题"
    answer = client.post(f"/admin/live/{room.pk}/edit/", form)
    assert answer.status_code == 200 and "直播已开始" in answer.content.decode()
    assert LiveRoom.objects.get(pk=room.pk).title == "荷塘镇荷花节（改）"


def test_console_screens_of_a_missing_or_foreign_room_answer_404_or_403_not_500(client, stage):
    client.force_login(stage.people.baishui_admin)
    hetang = stage.room.__class__.objects.filter(pk=stage.room.pk)
    hetang.update(unit=stage.county.hetang)
    for url in (f"/admin/live/{stage.room.pk}/", f"/admin/live/{stage.room.pk}/edit/"):
        answer = client.get(url)
        assert answer.status_code == 403 and "不属于您管理的单位" in answer.content.decode()
    for url in ("/admin/live/999999/", "/admin/live/999999/edit/"):
        assert client.get(url).status_code == 404
