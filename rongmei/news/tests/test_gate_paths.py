"""The word gate sees every public text of a story, 专题 and section, on every path: submit,
each step's approve (the action URL), restart, publish now, the scheduler."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, Workflow

from rongmei.core.public_text import PUBLIC_TEXT
from rongmei.news import services
from rongmei.news.models import StoryOutletVersion, TopicPage

from .conftest import add_article, make_image
from .test_editor import edit_data

pytestmark = pytest.mark.django_db

BAD = "代开发票"


def _outlet():
    from rongmei.outlets.models import Outlet
    return Outlet.objects.get_or_create(name="公众号", kind="wechat_mp")[0]


def _version(**fields):
    return lambda page: setattr(page, "outlet_versions",
                                [StoryOutletVersion(outlet=_outlet(), **fields)])


def _tags(page):
    page.tags.add(f"{BAD}优惠")


def _cover(page):
    page.cover = make_image(title=f"{BAD}广告")


def _body_image(page):
    page.body.append(("image", {"image": make_image(title="好图"), "caption": f"{BAD}说明"}))


def _body_image_title(page):
    page.body.append(("image", {"image": make_image(title=f"{BAD}图"), "caption": ""}))


# Every registered text of a story, and how to put the blocked word in it.
STORY_FIELDS = {
    ("wagtailcore.Page", "title"): lambda p: setattr(p, "title", f"{BAD}服务"),
    ("wagtailcore.Page", "seo_title"): lambda p: setattr(p, "seo_title", f"{BAD}服务"),
    ("wagtailcore.Page", "search_description"):
        lambda p: setattr(p, "search_description", f"{BAD}服务"),
    ("news.StoryPage", "summary"): lambda p: setattr(p, "summary", f"可{BAD}"),
    ("news.StoryPage", "author"): lambda p: setattr(p, "author", BAD),
    ("news.StoryPage", "reporter"): lambda p: setattr(p, "reporter", BAD),
    ("news.StoryPage", "responsible_editor"): lambda p: setattr(p, "responsible_editor", BAD),
    ("news.StoryPage", "source"): lambda p: setattr(p, "source", f"{BAD}网"),
    ("news.StoryPage", "place"): lambda p: setattr(p, "place", f"{BAD}点"),
    ("news.StoryPage", "correction_note"):
        lambda p: setattr(p, "correction_note", f"原文有误，{BAD}"),
    ("news.StoryPage", "tags"): _tags,
    ("news.ArticlePage", "body"): lambda p: p.body.append(("quote", f"可以{BAD}")),
    ("news.GalleryImage", "caption"): None,  # a gallery story: its own test below
    ("news.StoryOutletVersion", "title"): _version(title=f"{BAD}"),
    ("news.StoryOutletVersion", "digest"): _version(digest=f"{BAD}"),
    ("news.StoryOutletVersion", "text"): _version(text=f"{BAD}"),
    ("news.StoryOutletVersion", "topics"): _version(topics=f"县城,{BAD}"),
    ("wagtailimages.Image", "title"): _cover,
    ("news.ArticlePage", "body", "caption"): _body_image,
    ("news.ArticlePage", "body", "image title"): _body_image_title,
}


def test_every_registered_story_text_is_in_the_table_below():
    story_models = {"news.StoryPage", "news.ArticlePage", "news.StoryOutletVersion",
                    "news.GalleryImage", "wagtailimages.Image", "wagtailcore.Page"}
    for label in story_models:
        for field in PUBLIC_TEXT[label]:
            assert (label, field) in STORY_FIELDS, (label, field)


def _approve_url(page):
    page.refresh_from_db()
    return reverse("wagtailadmin_pages:workflow_action",
                   args=(page.pk, "approve", page.current_workflow_task_state.pk))


@pytest.mark.parametrize("key", [k for k, v in STORY_FIELDS.items() if v is not None],
                         ids=lambda k: ".".join(k))
def test_an_approver_cannot_pass_a_blocked_word_in_any_public_text(newsroom, client, key):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.center), user=people.reporter)
    STORY_FIELDS[key](page)
    page.save_revision(user=people.reporter)
    Workflow.objects.get(name="三审三校").start(page, people.reporter)
    client.force_login(people.editor)
    client.post(_approve_url(page), {"comment": ""})
    state = page.workflow_states.get()
    assert state.status == "needs_changes", key
    assert BAD in state.task_states.get().get_comment()
    page.refresh_from_db()
    assert not page.live


def test_a_gallery_caption_is_checked_too(newsroom, client):
    from rongmei.news.models import GalleryImage, GalleryPage

    people = newsroom.people
    page = GalleryPage(title="荷塘美景", owner=people.reporter, live=False)
    page.gallery_images = [GalleryImage(image=make_image(), caption=f"{BAD}热线")]
    services.archive_for(newsroom.center).add_child(instance=page)
    page.save_revision(user=people.reporter)
    Workflow.objects.get(name="三审三校").start(page, people.reporter)
    client.force_login(people.editor)
    client.post(_approve_url(page), {"comment": ""})
    assert page.workflow_states.get().status == "needs_changes"


def test_restarting_review_with_a_blocked_word_is_refused(newsroom, client):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin)
    client.force_login(people.hetang_admin)
    url = f"/admin/pages/{page.pk}/edit/"
    assert client.post(url, edit_data(page, "荷塘镇莲子丰收", "action-submit")).status_code == 302
    response = client.post(url, edit_data(page, "荷塘镇莲子丰收", "action-restart-workflow",
                                          correction_note=f"更正：{BAD}"))
    assert response.status_code == 200
    assert BAD in response.context["form"].non_field_errors()[0]


def test_submit_checks_outlet_topics_and_tags(newsroom, client):
    from wagtail.test.utils.form_data import inline_formset

    people = newsroom.people
    outlet = _outlet()
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin)
    client.force_login(people.hetang_admin)
    url = f"/admin/pages/{page.pk}/edit/"
    data = edit_data(page, "荷塘镇莲子丰收", "action-submit", outlet_versions=inline_formset([{
        "outlet": outlet.pk, "enabled": "on", "title": "", "digest": "", "text": "",
        "cover": "", "topics": f"荷塘,{BAD}"}]))
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    assert "话题" in response.context["form"].non_field_errors()[0]
    response = client.post(url, edit_data(page, "荷塘镇莲子丰收", "action-submit",
                                          tags=f"{BAD}优惠"))
    assert response.status_code == 200
    page.refresh_from_db()
    assert page.current_workflow_state is None


def test_topic_pages_pass_the_gate_when_scheduled(newsroom):
    topic = TopicPage(title="荷花节专题", intro=f"<p>欢迎{BAD}</p>", live=False)
    newsroom.index.add_child(instance=topic)
    revision = topic.save_revision()
    Revision.objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - timezone.timedelta(minutes=1))
    call_command("news_publish_due")
    topic.refresh_from_db()
    assert not topic.live
    clean = TopicPage(title="荷花节", intro="<p>欢迎</p>", live=False)
    newsroom.index.add_child(instance=clean)
    revision = clean.save_revision()
    Revision.objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - timezone.timedelta(minutes=1))
    call_command("news_publish_due")
    clean.refresh_from_db()
    assert clean.live


def test_a_gallery_swipes_one_picture_at_a_time_and_numbers_each(newsroom, client):
    """A 图集 is a sideways-swiped strip (scroll snapping), each picture numbered n/total."""
    from rongmei.news.models import GalleryImage, GalleryPage

    page = GalleryPage(title="荷塘美景", owner=newsroom.people.reporter)
    page.gallery_images = [GalleryImage(image=make_image(), caption=f"第{i}景")
                           for i in range(1, 4)]
    services.archive_for(newsroom.center).add_child(instance=page)
    page.save_revision(user=newsroom.people.reporter).publish()
    html = client.get(page.url).content.decode()
    assert 'class="rm-gallery" tabindex="0"' in html and "左右滑动查看全部图片" in html
    assert "1/3 第1景" in html and "3/3 第3景" in html
