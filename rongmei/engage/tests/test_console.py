"""The 互动 console: who sees 评论审核 / 举报处理 / 互动统计, and what they can do there."""

from __future__ import annotations

import json

import pytest

from rongmei.core.roles import ROLES
from rongmei.engage import services
from rongmei.engage.models import (
    Comment,
    CommentStatus,
    ModerationLog,
    PageCommentSetting,
    Report,
    ReportStatus,
)

SCREENS = ("/admin/engage_comments/", "/admin/engage_reports/", "/admin/engage_stats/")
MODERATORS = {"editor", "chief_editor", "director", "operator", "administrator"}


@pytest.mark.parametrize("role", [r.code for r in ROLES] + ["resident"])
def test_role_matrix_for_screens_and_writes(client, make_user, story, role):
    author = make_user()
    comment = services.comment_post(user=author, page_id=story.pk, body="待审核的评论")
    person = make_user() if role == "resident" else make_user(role)
    client.force_login(person)
    allowed = role in MODERATORS
    home = client.get("/admin/")
    for url in SCREENS:
        assert (client.get(url).status_code == 200) is allowed, (role, url)
        if home.status_code == 200:
            assert (url in home.content.decode()) is allowed, (role, url)
    client.post(SCREENS[0], {"action": "approve", "comments": [comment.pk]})
    comment.refresh_from_db()
    assert (comment.status == CommentStatus.APPROVED) is allowed, role
    assert ModerationLog.objects.filter(actor=person).exists() is allowed


@pytest.fixture
def editor_console(client, people):
    client.force_login(people.editor)
    return client


def test_menu_group_is_called_hudong(editor_console):
    assert json.dumps("互动") in editor_console.get("/admin/").content.decode()


def test_bulk_reject_from_the_queue_needs_a_reason(editor_console, story, people):
    ids = [services.comment_post(user=people.resident, page_id=story.pk, body=f"评论{n}").pk
           for n in range(2)]
    page = editor_console.get("/admin/engage_comments/").content.decode()
    assert "评论0" in page and "评论1" in page and "通过所选" in page
    response = editor_console.post("/admin/engage_comments/", {"action": "reject",
                                                                "comments": ids}, follow=True)
    assert "驳回或删除评论须填写原因" in response.content.decode()
    editor_console.post("/admin/engage_comments/", {"action": "reject", "comments": ids,
                                                    "reason": "与稿件无关"})
    assert set(Comment.objects.values_list("status", flat=True)) == {CommentStatus.REJECTED}
    rejected = editor_console.get("/admin/engage_comments/?status=rejected").content.decode()
    assert "与稿件无关" in rejected


def test_reply_and_close_comments_from_the_console(editor_console, story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="何时通车")
    editor_console.post("/admin/engage_comments/", {"action": "reply", "comment": comment.pk,
                                                    "body": "下月通车"})
    assert comment.replies.get().body == "下月通车"
    story_queue = f"/admin/engage_comments/?page={story.pk}"
    assert "关闭本稿件评论" in editor_console.get(story_queue).content.decode()
    editor_console.post(story_queue, {"action": "close", "page": story.pk})
    assert PageCommentSetting.objects.get(page=story).comments_closed
    assert "开启评论" in editor_console.get(story_queue).content.decode()


def test_reports_screen_settles_reports(editor_console, story, people, make_user):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="广告评论")
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk], decision="approve")
    report = services.report_file(user=make_user(), comment_id=comment.pk, category="spam")
    listing = editor_console.get("/admin/engage_reports/").content.decode()
    assert "广告评论" in listing and "广告骚扰" in listing
    editor_console.post("/admin/engage_reports/", {"report": report.pk, "decision": "remove",
                                                   "reason": "广告"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTIONED
    assert Report.objects.get().handled_by == people.editor


def test_stats_screen_lists_story_counts_and_the_audit_log(editor_console, story, people):
    services.reaction_set(user=people.resident, page_id=story.pk, kind="like", on=True)
    services.comments_set_open(actor=people.editor, page_id=story.pk, is_open=False)
    html = editor_console.get("/admin/engage_stats/?order=-likes").content.decode()
    assert story.title in html and "关闭评论" in html
