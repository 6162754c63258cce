"""Comments: 先审后发, the sensitive-word gate, the author's view, approval points paid once,
newsroom replies, closing comments, limits."""

from __future__ import annotations

import pytest

from rongmei.core.errors import PermissionDeniedError, ServiceError
from rongmei.engage import services
from rongmei.engage.models import (
    Comment,
    CommentStatus,
    ModerationLog,
    PageStats,
)
from rongmei.points.models import PointsEntry

from .conftest import balance

API = "/api/v1/engage/pages/{}/comments"


def post(client, page, body):
    return client.post(API.format(page.pk), {"body": body}, content_type="application/json")


@pytest.fixture
def verdicts(make_user):
    """The operator's dictionary: 网络赌博 blocks, 强拆 asks for review, 按装 is a typo
    (entries the demo dictionary may already hold are left as they are)."""
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.normalize import normalize_word
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    operator = make_user("operator")
    for word, level, kind, suggestion in (("网络赌博", "block", "sensitive", ""),
                                          ("强拆", "review", "sensitive", ""),
                                          ("按装", "review", "typo", "安装")):
        WordEntry.objects.filter(normalized=normalize_word(word)).delete()
        word_create(actor=operator, word=word, level=level, kind=kind, suggestion=suggestion)
    yield
    PROCESS_CACHE.reset()


def test_a_comment_waits_for_review_and_only_its_author_sees_it(client, story, people):
    client.force_login(people.resident)
    response = post(client, story, "莲子今年真甜")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"]) == ("pending", "审核中")
    state = client.get(f"/api/v1/engage/pages/{story.pk}/state").json()
    assert [c["body"] for c in state["pending"]] == ["莲子今年真甜"]
    assert client.get(API.format(story.pk)).json()["items"] == []
    client.force_login(people.other)
    assert client.get(f"/api/v1/engage/pages/{story.pk}/state").json()["pending"] == []


def test_approval_publishes_counts_and_pays_points_once(client, story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="点赞家乡")
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk],
                              decision="approve")
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk],
                              decision="approve")  # already approved: skipped
    items = client.get(API.format(story.pk)).json()["items"]
    assert [i["body"] for i in items] == ["点赞家乡"]
    assert PageStats.objects.get(pk=story.pk).comments == 1
    paid = PointsEntry.objects.filter(account__user=people.resident, action="comment_approved")
    assert [(e.source, e.idempotency_key) for e in paid] == [
        (f"comment:{comment.pk}", f"comment_approved:{comment.pk}")]
    # Rejected, then approved on second look: still paid once.
    again = services.comment_post(user=people.resident, page_id=story.pk, body="再说一句")
    services.comment_moderate(actor=people.editor, comment_ids=[again.pk], decision="reject",
                              reason="重复")
    services.comment_moderate(actor=people.editor, comment_ids=[again.pk], decision="approve")
    services.comment_moderate(actor=people.editor, comment_ids=[again.pk], decision="remove",
                              reason="作者要求删除")
    services.comment_moderate(actor=people.editor, comment_ids=[again.pk], decision="approve")
    assert paid.all().count() == 2  # a fresh query: `paid` was evaluated above
    assert balance(people.resident) == 4
    assert PageStats.objects.get(pk=story.pk).comments == 1


def test_reject_and_remove_need_a_reason_and_are_audited(story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="一条评论")
    with pytest.raises(ServiceError) as caught:
        services.comment_moderate(actor=people.editor, comment_ids=[comment.pk],
                                  decision="reject")
    assert caught.value.code == "reason_required"
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk], decision="reject",
                              reason="与稿件无关")
    comment.refresh_from_db()
    assert (comment.status, comment.reject_reason, comment.moderated_by) == (
        CommentStatus.REJECTED, "与稿件无关", people.editor)
    log = ModerationLog.objects.get()
    assert (log.actor, log.action, log.comment, log.note) == (people.editor, "reject", comment,
                                                              "与稿件无关")


def test_bulk_approval_moves_only_pending_comments(story, people):
    ids = [services.comment_post(user=people.resident, page_id=story.pk, body=f"评论{n}").pk
           for n in range(3)]
    services.comment_moderate(actor=people.editor, comment_ids=ids[:1], decision="reject",
                              reason="不当")
    moved = services.comment_moderate(actor=people.editor, comment_ids=ids, decision="approve")
    assert len(moved) == 3  # a rejected comment may be approved on second look
    assert PageStats.objects.get(pk=story.pk).comments == 3


def test_residents_and_reporters_cannot_moderate(story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="评论")
    for actor in (people.resident, people.reporter):
        with pytest.raises(PermissionDeniedError):
            services.comment_moderate(actor=actor, comment_ids=[comment.pk], decision="approve")
        with pytest.raises(PermissionDeniedError):
            services.comment_reply(actor=actor, comment_id=comment.pk, body="回复")
    assert Comment.objects.get().status == CommentStatus.PENDING


def test_a_signed_out_reader_is_told_in_chinese_to_sign_in(client, story):
    response = post(client, story, "你好")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录后再发表评论",
                               "field": None}


def test_comments_are_plain_text_of_at_most_500_characters(client, story, people):
    client.force_login(people.resident)
    typed = '<script>alert(1)</script><a href="x">好</a>'
    assert post(client, story, typed).json()["body"] == typed  # stored as typed, never run
    too_long = post(client, story, "长" * 501)
    assert too_long.status_code == 400 and too_long.json()["field"] == "body"
    assert too_long.json()["message"] == "评论最多500字，当前501字"
    assert post(client, story, "长" * 500).status_code == 200
    empty = post(client, story, " \u200b\u3164 ")
    assert empty.status_code == 400 and empty.json()["code"] == "empty_comment"


def test_commenting_too_fast_is_refused(client, story, people):
    client.force_login(people.resident)
    codes = [post(client, story, f"第{n}条").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]
    assert post(client, story, "再来").json()["message"] == "评论太频繁了，请一分钟后再试"


def test_a_blocked_word_refuses_the_comment_with_the_gates_message(client, story, people,
                                                                   verdicts):
    client.force_login(people.resident)
    response = post(client, story, "这里有网络赌博网站")
    assert response.status_code == 400
    assert response.json() == {"code": "comment_blocked",
                               "message": "评论含有不允许发布的内容，请修改后再发", "field": "body"}
    assert "赌博" not in response.content.decode()  # the dictionary is not revealed
    assert not Comment.objects.exists()


def test_a_review_word_keeps_the_comment_pending_and_flagged(client, story, people, verdicts):
    client.force_login(people.resident)
    assert post(client, story, "强拆的事谁来管").status_code == 200
    assert post(client, story, "路灯按装好了").status_code == 200  # a typo flags nothing
    assert not Comment.objects.get(body="路灯按装好了").flagged
    comment = Comment.objects.get(body="强拆的事谁来管")
    assert (comment.status, comment.flagged, comment.wordgate_hits) == (
        CommentStatus.PENDING, True, ["强拆"])
    client.force_login(people.editor)
    html = client.get("/admin/engage_comments/?status=flagged").content.decode()
    assert "<mark>强拆</mark>的事谁来管" in html


def test_newsroom_reply_shows_under_the_approved_comment(client, story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="路什么时候修好")
    services.comment_reply(actor=people.editor, comment_id=comment.pk, body="预计月底完工")
    assert client.get(API.format(story.pk)).json()["items"] == []
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk], decision="approve")
    item = client.get(API.format(story.pk)).json()["items"][0]
    assert [r["body"] for r in item["replies"]] == ["预计月底完工"]
    html = client.get(f"/engage/pages/{story.pk}/comments/").content.decode()
    assert "官方回复" in html and "预计月底完工" in html


def test_closed_comments_refuse_new_ones(client, story, people):
    services.comments_set_open(actor=people.editor, page_id=story.pk, is_open=False)
    client.force_login(people.resident)
    response = post(client, story, "还能评论吗")
    assert response.status_code == 403 and response.json()["message"] == "本稿件已关闭评论"
    assert client.get(f"/api/v1/engage/pages/{story.pk}/state").json()["comments_open"] is False
    services.comments_set_open(actor=people.editor, page_id=story.pk, is_open=True)
    assert post(client, story, "又开了").status_code == 200


def test_public_comments_page_through_newest_first(client, story, people):
    comments = [services.comment_post(user=people.resident, page_id=story.pk, body=f"第{n}条")
                for n in range(5)]
    services.comment_moderate(actor=people.editor, comment_ids=[c.pk for c in comments],
                              decision="approve")
    first = client.get(API.format(story.pk) + "?limit=3").json()
    assert [i["body"] for i in first["items"]] == ["第4条", "第3条", "第2条"]
    rest = client.get(API.format(story.pk) + f"?limit=3&cursor={first['next_cursor']}").json()
    assert [i["body"] for i in rest["items"]] == ["第1条", "第0条"] and rest["next_cursor"] is None


def test_an_author_may_withdraw_their_comment(client, story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="撤回我")
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk], decision="approve")
    client.force_login(people.other)
    assert client.delete(f"/api/v1/engage/comments/{comment.pk}").status_code == 404
    client.force_login(people.resident)
    assert client.delete(f"/api/v1/engage/comments/{comment.pk}").json()["status"] == "removed"
    assert PageStats.objects.get(pk=story.pk).comments == 0


def test_the_no_script_comment_page_posts_a_comment(client, story, people):
    url = f"/engage/pages/{story.pk}/comments/"
    assert client.post(url, {"body": "无脚本评论"}).url.startswith("/login/")
    client.force_login(people.resident)
    response = client.post(url, {"body": "无脚本评论"}, follow=True)
    html = response.content.decode()
    assert "评论已提交，审核通过后公开" in html and "审核中" in html and "无脚本评论" in html
    error = client.post(url, {"body": ""})
    assert error.status_code == 400 and "请填写评论内容" in error.content.decode()
