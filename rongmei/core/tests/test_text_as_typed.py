"""Text is stored as the user typed it and escaped once, when rendered; control and
bidi-override characters are stripped from text and refused in names."""

from __future__ import annotations

import pytest

from rongmei.engage.tests.conftest import make_story
from rongmei.wenzheng.tests.conftest import wz  # noqa: F401 - fixture

TYPED = "价格 > 10 元 & 质量 \"好\"，'实惠'"


@pytest.mark.django_db
def test_a_comment_is_stored_as_typed_and_escaped_once_on_the_console(client, make_user):
    from rongmei.engage.models import Comment

    story = make_story()
    client.force_login(make_user())
    response = client.post(f"/api/v1/engage/pages/{story.pk}/comments",
                           {"body": TYPED + "\u202e\x07"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["body"] == TYPED  # no &gt; / &amp; in the API either
    assert Comment.objects.get().body == TYPED
    client.force_login(make_user("editor"))
    page = client.get("/admin/engage_comments/").content.decode()
    assert "价格 &gt; 10 元 &amp; 质量" in page and "&amp;gt;" not in page


@pytest.mark.django_db
def test_a_wenzheng_case_is_stored_as_typed_and_shown_escaped_once(client, wz):  # noqa: F811
    from rongmei.wenzheng.models import Case

    client.force_login(wz.resident)
    response = client.post("/wenzheng/new/", {
        "category": wz.category.pk, "title": "路灯 <坏了> & 没人修", "key": "typed-1",
        "description": "荷塘镇上塘村村口三盏路灯坏了一个月 > 30 天 & 晚上很不安全。",
        "address": "荷塘镇上塘村", "contact_preference": "sms"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.title == "路灯 <坏了> & 没人修"
    assert "&gt;" not in case.description and "> 30 天 &" in case.description
    page = client.get(f"/wenzheng/mine/{case.pk}/").content.decode()
    assert "&gt; 30 天 &amp;" in page and "&amp;gt;" not in page
    assert "路灯 &lt;坏了&gt; &amp; 没人修" in page and "<坏了>" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("nickname", ["李\u202e四", "李\x00四", "李\x1b四"])
def test_control_characters_are_refused_in_names(client, make_user, nickname):
    user = make_user()
    client.force_login(user)
    response = client.patch("/api/v1/me", {"nickname": nickname},
                            content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "nickname"
    user.refresh_from_db()
    assert user.nickname != nickname


def test_stored_escaping_is_undone_once():
    from rongmei.core.text import unescape_stored

    assert unescape_stored("a &gt; b &amp; c &lt;i&gt;") == "a > b & c <i>"
    assert unescape_stored("typed &amp;amp; literally") == "typed &amp; literally"


@pytest.mark.django_db
def test_markup_in_a_comment_is_kept_as_typed_and_never_becomes_markup(client, make_user):
    """Typed markup is neither removed nor run: the API returns it as text, the no-script
    comment page shows it escaped once."""
    from rongmei.engage.models import Comment

    story = make_story()
    typed = '<img src=x onerror="alert(1)"> 1<2 & 3>2'
    client.force_login(make_user())
    response = client.post(f"/api/v1/engage/pages/{story.pk}/comments", {"body": typed},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    comment = Comment.objects.get()
    assert comment.body == typed
    editor = make_user("editor")
    client.force_login(editor)
    moderated = client.post("/admin/engage_comments/",
                            {"comments": [comment.pk], "action": "approve"})
    assert moderated.status_code in (200, 302), moderated.content[:300]
    comment.refresh_from_db()
    assert comment.status == "approved"
    client.logout()
    listed = client.get(f"/api/v1/engage/pages/{story.pk}/comments").json()
    assert [row["body"] for row in listed["items"]] == [typed]
    page = client.get(f"/engage/pages/{story.pk}/comments/").content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; 1&lt;2 &amp; 3&gt;2" in page
    assert "<img src=x" not in page


def test_blank_looking_characters_are_no_visible_text():
    """Adversarial review: a 紧急发布 reason of three U+2800 (blank braille) was accepted."""
    from rongmei.core.text import visible_length

    assert visible_length("\u2800\u2800\u2800\u3164\u200b \u3000") == 0
    assert visible_length("汛情紧急") == 4
