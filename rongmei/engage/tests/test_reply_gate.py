"""The newsroom's official reply is public at once: it passes the word gate in the console."""

import pytest

from rongmei.engage import services
from rongmei.engage.models import CommentReply

pytestmark = pytest.mark.django_db


def test_a_reply_with_a_blocked_word_is_refused_in_the_console(client, story, people, make_user):
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.services import word_create

    if not WordEntry.objects.filter(word="代开发票").exists():
        word_create(actor=make_user("operator"), word="代开发票", level="block")
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="路什么时候修好")
    client.force_login(people.editor)
    response = client.post("/admin/engage_comments/", {
        "action": "reply", "comment": comment.pk, "body": "请联系代 开-發票热线"}, follow=True)
    assert not CommentReply.objects.exists()
    assert any("禁用词" in str(m) for m in response.context["messages"])
    client.post("/admin/engage_comments/", {"action": "reply", "comment": comment.pk,
                                            "body": "预计月底完工"})
    assert CommentReply.objects.get().body == "预计月底完工"


@pytest.mark.parametrize("body", ["这里有網絡賭博网站", "这里有网a络1赌の博网站", "网 络-赌😀博"])
def test_a_resident_cannot_dodge_the_gate_with_traditional_or_inserted_characters(
        client, story, people, make_user, body):
    from rongmei.engage.models import Comment
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    if not WordEntry.objects.filter(word="网络赌博").exists():
        word_create(actor=make_user("operator"), word="网络赌博", level="block")
    client.force_login(people.resident)
    response = client.post(f"/api/v1/engage/pages/{story.pk}/comments", {"body": body},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "comment_blocked"
    assert not Comment.objects.exists()
