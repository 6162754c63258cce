"""The story editor in the console: the word gate on submit and publish, warnings for review
words, and breaking news pushed on first publish."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from rongmei.news import services
from rongmei.news.models import ArticlePage, PublishBlock

from .conftest import add_article

pytestmark = pytest.mark.django_db


def edit_data(page, body, action=None, **fields):
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "channel": "", "summary": "", "cover": "",
        "body": streamfield([("paragraph", rich_text(f"<p>{body}</p>"))]),
        "author": "", "reporter": "", "responsible_editor": "", "origin": "original",
        "source": "", "source_url": "", "tags": "", "place": "", "correction_note": "",
        "allow_comments": "on",
        "outlet_versions": inline_formset([]), "comments": inline_formset([]),
        "seo_title": "", "search_description": "", "go_live_at": "", "expire_at": "",
        **fields,
    })
    if action:
        data[action] = "1"
    return data


def test_submit_with_a_blocked_word_is_refused_with_the_hit_highlighted(newsroom, client):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin)
    client.force_login(people.hetang_admin)
    url = f"/admin/pages/{page.pk}/edit/"
    # A draft with the word saves: nothing typed is lost.
    response = client.post(url, edit_data(page, "本镇打击赌博网站行动"))
    assert response.status_code == 302
    assert "赌博网站" in ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object(
        ).body_text()
    # Submitting it for review is refused, the hit marked in the message.
    response = client.post(url, edit_data(page, "本镇打击赌博网站行动", "action-submit"))
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error == "稿件含有禁用词，不能提交或发布（草稿可以保存）：正文：本镇打击【赌博网站】行动"
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "本镇打击【赌博网站】行动" in shown  # Wagtail lists non-field errors in its message
    page.refresh_from_db()
    assert page.current_workflow_state is None


def test_publish_button_refuses_blocked_words_and_review_words_only_warn(newsroom, client):
    from rongmei.core import roles
    from rongmei.wordgate.services import word_create

    people = newsroom.people
    operator = type(people.director).objects.filter(groups__name=roles.ROLE_BY_CODE[
        roles.OPERATOR].name).first()
    word_create(actor=operator, word="有关部门", level="review")
    page = add_article(services.archive_for(newsroom.center), user=people.reporter)
    client.force_login(people.director)
    url = f"/admin/pages/{page.pk}/edit/"
    response = client.post(url, edit_data(page, "联系代开发票", "action-publish",
                                          urgent_reason="突发"))
    assert response.status_code == 200
    assert "稿件含有禁用词" in response.context["form"].non_field_errors()[0]
    page.refresh_from_db()
    assert not page.live
    response = client.post(url, edit_data(page, "有关部门表示将尽快修复", "action-publish",
                                          urgent_reason="突发"), follow=True)
    page.refresh_from_db()
    assert page.live
    assert any("请核对提示词" in str(m) and "【有关部门】" in str(m)
               for m in response.context["messages"])


def test_the_publish_hook_stops_what_the_form_cannot_see(newsroom, rf):
    """A word added to an outlet version (an inline) is caught by the publish hook."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from rongmei.news.models import StoryOutletVersion
    from rongmei.news.wagtail_hooks import gate_before_publish
    from rongmei.outlets.models import Outlet

    outlet = Outlet.objects.create(name="公众号", kind="wechat_mp")
    page = add_article(services.archive_for(newsroom.center))
    page.outlet_versions = [StoryOutletVersion(outlet=outlet, digest="办证刻章，立等可取")]
    request = rf.post("/")
    request.user = newsroom.people.director
    request.session = {}
    request._messages = FallbackStorage(request)
    response = gate_before_publish(request, page)
    assert response.status_code == 302
    assert PublishBlock.objects.filter(page=page).exists()


def test_breaking_news_is_pushed_once_on_first_publish(newsroom, django_capture_on_commit_callbacks):
    from rongmei.push.models import PushMessage

    folder = services.archive_for(newsroom.center)
    with django_capture_on_commit_callbacks(execute=True):
        page = add_article(folder, title="县城区今晚停水通知", is_breaking=True, publish=True)
    message = PushMessage.objects.get()
    assert message.title == "县城区今晚停水通知" and message.url == page.url
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert PushMessage.objects.count() == 1


def test_publish_block_log_is_for_newsroom_staff(newsroom, client):
    PublishBlock.objects.create(page=add_article(services.archive_for(newsroom.center)),
                                message="含有禁用词：代开发票")
    client.force_login(newsroom.people.editor)
    response = client.get("/admin/news/blocks/")
    assert response.status_code == 200 and "代开发票" in response.content.decode()
    client.force_login(newsroom.people.hetang_admin)
    assert client.get("/admin/news/blocks/").status_code == 302  # refused, back to the console
