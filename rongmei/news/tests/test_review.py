"""三审 separation of duties through the console's own doors: the workflow action URLs, the
editor's workflow buttons, the publish button (紧急发布) and the bulk publish action."""

import json

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState

from rongmei.core import roles
from rongmei.news import services
from rongmei.news.models import ArticlePage, UrgentPublish

from .conftest import add_article
from .test_editor import edit_data

pytestmark = pytest.mark.django_db

STEPS = ("初审", "复审", "终审")


@pytest.fixture
def combined(newsroom, make_user):
    """One account holding 编辑 + 主编 + 总编辑."""
    return make_user(roles.EDITOR, roles.CHIEF_EDITOR, roles.DIRECTOR)


def submit(client, page, user):
    client.force_login(user)
    response = client.post(f"/admin/pages/{page.pk}/edit/",
                           edit_data(page, "今年荷塘镇莲子喜获丰收。", "action-submit"))
    assert response.status_code == 302, response.content[:2000]
    page.refresh_from_db()
    assert page.current_workflow_task.name == "初审"


def action_url(page, action="approve", name="workflow_action"):
    task_state = page.current_workflow_task_state
    return reverse(f"wagtailadmin_pages:{name}", args=(page.pk, action, task_state.pk))


def approve(client, page, user, **headers):
    client.force_login(user)
    response = client.post(action_url(page), {"comment": ""}, **headers)
    page.refresh_from_db()
    return response


def messages_of(client, response):
    return [str(m) for m in response.wsgi_request._messages] if hasattr(
        response.wsgi_request, "_messages") else []


def step_name(page):
    page.refresh_from_db()
    task = page.current_workflow_task
    return task.name if task else None


def test_three_people_take_a_story_live_through_the_action_urls(newsroom, client):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin)
    submit(client, page, people.hetang_admin)
    for user, next_step in ((people.editor, "复审"), (people.chief, "终审"),
                            (people.director, None)):
        response = approve(client, page, user)
        assert response.status_code == 302
        assert step_name(page) == next_step
    assert page.live
    states = page.workflow_states.get().task_states.order_by("started_at")
    assert [(s.task.name, s.finished_by) for s in states] == [
        ("初审", people.editor), ("复审", people.chief), ("终审", people.director)]


def test_the_author_passes_no_step_of_their_own_story_whatever_roles_they_hold(
        newsroom, client, combined):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.center), user=combined)
    submit(client, page, combined)
    others = {"初审": people.editor, "复审": people.chief, "终审": people.director}
    for step in STEPS:
        assert step_name(page) == step
        task_state_id = page.current_workflow_task_state.pk
        # The action URL (a plain POST, the modal's GET and its XHR POST) refuses, in Chinese.
        client.force_login(combined)
        response = client.post(action_url(page), {"comment": ""}, follow=True)
        shown = [str(m) for m in response.context["messages"]]
        assert any("不能审核自己的稿件" in m for m in shown), shown
        response = client.get(action_url(page, name="collect_workflow_action_data"))
        assert response.status_code == 302
        response = client.post(action_url(page), {"comment": ""},
                               HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        assert response.status_code == 403
        assert json.loads(response.content)["message"] == "您是本稿的作者或送审人，不能审核自己的稿件"
        # The editor's own workflow button does nothing either.
        client.post(f"/admin/pages/{page.pk}/edit/", {
            **edit_data(page, "今年荷塘镇莲子喜获丰收。", "action-workflow-action"),
            "workflow-action-name": "approve"})
        assert TaskState.objects.get(pk=task_state_id).status == "in_progress"
        assert step_name(page) == step
        # The Wagtail task API gives the author nothing to do.
        task = page.current_workflow_task
        assert task.get_actions(page, combined) == []
        assert not task.user_can_access_editor(page, combined)
        approve(client, page, others[step])
    page.refresh_from_db()
    assert page.live and not UrgentPublish.objects.exists()


def test_one_person_passes_one_step_of_a_story(newsroom, client, combined):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.center), user=people.reporter)
    submit(client, page, people.reporter)
    assert approve(client, page, combined).status_code == 302
    assert step_name(page) == "复审"
    for step, other in (("复审", people.chief), ("终审", people.director)):
        client.force_login(combined)
        response = client.post(action_url(page), {"comment": ""}, follow=True)
        shown = [str(m) for m in response.context["messages"]]
        assert any("您已通过本稿的“初审”" in m for m in shown), shown
        assert step_name(page) == step
        approve(client, page, other)
    page.refresh_from_db()
    assert page.live
    finishers = list(page.workflow_states.get().task_states.values_list("finished_by", flat=True))
    assert len(set(finishers)) == 3


@pytest.mark.parametrize("step_index", [0, 1, 2])
def test_role_by_step_matrix(newsroom, client, combined, step_index):
    """Who may open a step's action, on someone else's story and on their own."""
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin)
    submit(client, page, people.hetang_admin)
    movers = (people.editor, people.chief, people.director)
    for mover in movers[:step_index]:
        approve(client, page, mover)
    assert step_name(page) == STEPS[step_index]
    allowed = {"editor": step_index == 0, "chief": step_index == 1, "director": step_index == 2,
               "reporter": False, "hetang_admin": False, "resident": False}
    for who, may in allowed.items():
        client.force_login(getattr(people, who))
        response = client.get(action_url(page, name="collect_workflow_action_data"))
        assert (response.status_code == 200) == may, (who, STEPS[step_index], response.status_code)
    # The combined account may pass this step of someone else's story only.
    client.force_login(combined)
    assert client.get(action_url(page, name="collect_workflow_action_data")).status_code == 200
    own = add_article(services.archive_for(newsroom.center), user=combined, title="本人稿件")
    submit(client, own, combined)
    for mover in movers[:step_index]:
        approve(client, own, mover)
    client.force_login(combined)
    assert client.get(action_url(own, name="collect_workflow_action_data")).status_code == 302


def test_urgent_publish_needs_a_reason_and_is_in_the_trail(newsroom, client, combined):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.center), user=people.reporter)
    submit(client, page, people.reporter)
    approve(client, page, people.editor)
    client.force_login(people.director)
    url = f"/admin/pages/{page.pk}/edit/"
    response = client.post(url, edit_data(page, "今年荷塘镇莲子喜获丰收。", "action-publish"))
    assert response.status_code == 200
    assert "须填写紧急发布理由" in str(response.context["form"].errors["urgent_reason"])
    # Invisible filler is no reason either (zero-width spaces, Hangul filler, a BOM).
    response = client.post(url, edit_data(page, "今年荷塘镇莲子喜获丰收。", "action-publish",
                                          urgent_reason="\u200b\u200b\u3164\ufeff\u200d"))
    assert response.status_code == 200
    assert "须填写紧急发布理由" in str(response.context["form"].errors["urgent_reason"])
    page.refresh_from_db()
    assert not page.live
    response = client.post(url, edit_data(page, "今年荷塘镇莲子喜获丰收。", "action-publish",
                                          urgent_reason="汛情紧急，须立即发布"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    record = UrgentPublish.objects.get(page=page)
    assert (record.user, record.reason) == (people.director, "汛情紧急，须立即发布")
    entry = PageLogEntry.objects.get(page=page, action="rongmei.news.urgent_publish")
    assert entry.comment == "汛情紧急，须立即发布" and entry.user == people.director
    # The step it was at carries the reason: the other reviewers see it in the trail.
    trail = page.workflow_states.get().task_states.get(task__name="复审")
    assert trail.status == "cancelled" and "汛情紧急" in trail.comment
    client.force_login(people.editor)
    history = client.get(f"/admin/pages/{page.pk}/history/")
    assert "紧急发布" in history.content.decode() and "汛情紧急" in history.content.decode()


def test_nobody_urgently_publishes_their_own_story(newsroom, client, combined):
    page = add_article(services.archive_for(newsroom.center), user=combined)
    client.force_login(combined)
    response = client.post(f"/admin/pages/{page.pk}/edit/", edit_data(
        page, "今年荷塘镇莲子喜获丰收。", "action-publish", urgent_reason="我说紧急"))
    assert response.status_code == 200
    assert "不能紧急发布自己写的" in str(response.context["form"].errors["urgent_reason"])
    page.refresh_from_db()
    assert not page.live


def test_bulk_publish_does_not_skip_review(newsroom, client):
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.center), user=people.reporter)
    client.force_login(people.director)
    client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", {})
    assert not ArticlePage.objects.get(pk=page.pk).live


def test_a_copy_never_goes_live_without_review(newsroom, client):
    """Wagtail's “publish copies” makes a copy live without calling publish: refused, so a
    copied story (its title possibly changed on the way) goes through 三审 like any other."""
    people = newsroom.people
    folder = services.archive_for(newsroom.hetang)
    page = add_article(folder, user=people.hetang_admin, publish=True)
    client.force_login(people.director)
    before = ArticlePage.objects.count()
    response = client.post(f"/admin/pages/{page.pk}/copy/", {
        "new_title": "代开发票 找我", "new_slug": "copied-1", "new_parent_page": folder.pk,
        "publish_copies": "on"}, follow=True)
    assert "须重新经过三审" in response.content.decode()
    assert ArticlePage.objects.count() == before
    assert not ArticlePage.objects.filter(slug="copied-1", live=True).exists()


def test_an_alias_never_puts_a_story_live_in_another_section(newsroom, client):
    """Adversarial review: an alias is live at once, wherever it lands."""
    from wagtail.models import Page

    people = newsroom.people
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin,
                       publish=True)
    other = services.archive_for(newsroom.baishui)
    client.force_login(people.director)
    before = Page.objects.count()
    response = client.post(f"/admin/pages/{page.pk}/copy/", {
        "new_title": page.title, "new_slug": "alias-1", "new_parent_page": other.pk,
        "alias": "on"}, follow=True)
    assert "不能创建别名" in response.content.decode()
    assert Page.objects.count() == before


def topic_data(page, action=None, **fields):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    data = nested_form_data({
        "title": page.title, "slug": page.slug, "header_image": "",
        "intro": rich_text("<p>荷花节专题导语</p>"), "items": inline_formset([]),
        "comments": inline_formset([]), "seo_title": "", "search_description": "",
        "go_live_at": "", "expire_at": "", **fields})
    if action:
        data[action] = "1"
    return data


def test_a_topic_page_goes_live_only_through_review_or_a_recorded_urgent_publish(newsroom,
                                                                                 client):
    """专题 pages are public like stories: the editor's 发布 is a 紧急发布 with a reason,
    and the 三审 run's last approval takes them live."""
    from rongmei.news.models import TopicPage

    people = newsroom.people
    topic = TopicPage(title="荷花节专题", slug="hehua-topic", live=False, owner=people.editor)
    newsroom.index.add_child(instance=topic)
    topic.save_revision(user=people.editor)
    client.force_login(people.director)
    url = f"/admin/pages/{topic.pk}/edit/"
    response = client.post(url, topic_data(topic, "action-publish"))
    assert response.status_code == 200
    assert "须填写紧急发布理由" in str(response.context["form"].errors["urgent_reason"])
    topic.refresh_from_db()
    assert not topic.live
    response = client.post(url, topic_data(topic, "action-publish",
                                           urgent_reason="荷花节今晚开幕，专题须同步上线"))
    assert response.status_code == 302, response.content[:300]
    topic.refresh_from_db()
    assert topic.live
    assert UrgentPublish.objects.get(page=topic).user == people.director


def test_a_topic_page_goes_live_after_three_steps(newsroom, client, make_user):
    from rongmei.news.models import TopicPage

    people = newsroom.people
    author = make_user(roles.EDITOR)
    topic = TopicPage(title="莲子节专题", slug="lianzi-topic", live=False, owner=author)
    newsroom.index.add_child(instance=topic)
    topic.save_revision(user=author)
    client.force_login(author)
    response = client.post(f"/admin/pages/{topic.pk}/edit/", topic_data(topic, "action-submit"))
    assert response.status_code == 302, response.content[:300]
    for reviewer in (people.editor, people.chief, people.director):
        assert not TopicPage.objects.get(pk=topic.pk).live
        approve(client, topic, reviewer)
    assert TopicPage.objects.get(pk=topic.pk).live


def test_text_edited_during_review_goes_back_through_every_step(newsroom, client):
    """Adversarial review: the 总编辑 rewrote a story after 初审 and 复审 and approved 终审;
    the new text went live unseen by anyone else. Now it goes back to 初审."""
    people = newsroom.people
    page = add_article(services.archive_for(newsroom.center), user=people.reporter)
    submit(client, page, people.reporter)
    approve(client, page, people.editor)
    approve(client, page, people.chief)
    client.force_login(people.director)
    response = client.post(f"/admin/pages/{page.pk}/edit/",
                           edit_data(page, "总编辑改写的全新正文，初审复审都没看过"))
    assert response.status_code == 302
    approve(client, page, people.director)
    page.refresh_from_db()
    assert not page.live
    assert step_name(page) == "初审"
    approve(client, page, people.editor)
    approve(client, page, people.chief)
    approve(client, page, people.director)
    page.refresh_from_db()
    assert page.live and "全新正文" in page.specific.body_text()
