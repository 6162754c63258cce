"""The engage bar: the same HTML for every visitor, counts for feeds in one query."""

from __future__ import annotations

from django.template import Context, Template
from django.test import RequestFactory

from rongmei.engage import services
from rongmei.engage.models import Comment, CommentStatus
from rongmei.engage.services import PageStatsTuple, stats_for

from .conftest import make_story


def render_bar(page, user):
    request = RequestFactory().get(page.url or "/")
    request.user = user
    return Template("{% load engage_tags %}{% engage_bar page %}").render(
        Context({"page": page, "request": request, "user": user}))


def test_the_bar_is_identical_for_every_visitor(story, people):
    from django.contrib.auth.models import AnonymousUser

    comment = services.comment_post(user=people.resident, page_id=story.pk, body="公开评论")
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk], decision="approve")
    services.comment_post(user=people.resident, page_id=story.pk, body="我的待审评论")
    services.reaction_set(user=people.resident, page_id=story.pk, kind="like", on=True)
    anonymous = render_bar(story, AnonymousUser())
    assert anonymous == render_bar(story, people.resident) == render_bar(story, people.editor)
    assert "公开评论" in anonymous and "我的待审评论" not in anonymous
    assert 'aria-pressed="false"' in anonymous and "csrfmiddlewaretoken" not in anonymous
    assert 'data-count="likes">1<' in anonymous


def test_the_bar_has_labels_and_load_more(story, people):
    from django.contrib.auth.models import AnonymousUser

    for n in range(12):
        Comment.objects.create(page=story, author=people.resident, body=f"第{n}条",
                               status=CommentStatus.APPROVED)
    html = render_bar(story, AnonymousUser())
    assert f'<label class="rm-engage__label" for="engage-body-{story.pk}">写评论</label>' in html
    assert "加载更多" in html and "第11条" in html and "第1条" not in html


def test_stats_for_answers_many_pages_in_one_query(story, people, django_assert_num_queries):
    other = make_story("没人看的稿件")
    services.reaction_set(user=people.resident, page_id=story.pk, kind="like", on=True)
    services.share_record(page_id=story.pk, channel="weibo", user=None, ident="x")
    with django_assert_num_queries(1):
        stats = stats_for([story.pk, other.pk])
    assert stats == {story.pk: PageStatsTuple(reads=0, likes=1, comments=0, shares=1),
                     other.pk: PageStatsTuple(0, 0, 0, 0)}
    assert stats_for([]) == {}
