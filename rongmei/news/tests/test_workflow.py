"""三审 review, the word gate at every step, publishing into the feed copy."""

import pytest
from wagtail.models import Workflow

from rongmei.news import services
from rongmei.news.gate import ContentBlocked
from rongmei.news.models import FeedEntry, PublishBlock

from .conftest import add_article

pytestmark = pytest.mark.django_db


def approve(page, user):
    state = page.current_workflow_state
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, user, "approve")
    page.refresh_from_db()


def test_three_reviews_publish_the_story_into_the_feed(newsroom):
    people = newsroom.people
    folder = services.archive_for(newsroom.hetang)
    page = add_article(folder, user=people.hetang_admin, channel=newsroom.channel)
    workflow = page.get_workflow()
    assert workflow.name == "三审三校"
    workflow.start(page, people.hetang_admin)
    page.refresh_from_db()
    assert page.current_workflow_task.name == "初审"

    approve(page, people.editor)
    assert page.current_workflow_task.name == "复审"
    assert not page.live
    approve(page, people.chief)
    assert page.current_workflow_task.name == "终审"
    approve(page, people.director)

    assert page.live
    entry = FeedEntry.objects.get(page=page)
    assert entry.section == newsroom.hetang
    assert entry.channel == newsroom.channel
    assert "莲子" in entry.search_text.split()
    # The trail: who approved what.
    states = page.workflow_states.get().task_states.order_by("started_at")
    assert [(s.task.name, s.finished_by) for s in states] == [
        ("初审", people.editor), ("复审", people.chief), ("终审", people.director)]


def test_an_approver_cannot_pass_a_blocked_word(newsroom):
    people = newsroom.people
    folder = services.archive_for(newsroom.center)
    page = add_article(folder, user=people.reporter, body="本镇严厉打击赌博网站。")
    Workflow.objects.get(name="三审三校").start(page, people.reporter)
    page.refresh_from_db()
    approve(page, people.editor)  # sends it back instead
    state = page.workflow_states.get()
    assert state.status == "needs_changes"
    rejected = state.task_states.get()
    assert rejected.status == "rejected"
    assert "赌博网站" in rejected.get_comment()
    assert PublishBlock.objects.filter(page=page).exists()
    assert not page.live


def test_publish_refuses_a_blocked_word_and_scheduled_publish_goes_on(newsroom):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    folder = services.archive_for(newsroom.center)
    bad = add_article(folder, title="代开发票服务", body="联系我们")
    with pytest.raises(ContentBlocked):
        bad.get_latest_revision().publish()
    bad.refresh_from_db()
    assert not bad.live
    assert not FeedEntry.objects.filter(page=bad).exists()

    # Scheduling runs the gate too; a schedule approved before a word entered the dictionary
    # is simulated by setting the approval directly. At the minute the clean one goes out.
    good = add_article(folder, title="白水镇新建文化广场", body="广场下月开放。")
    soon = timezone.now() + timedelta(minutes=1)
    good.go_live_at = soon
    good.save_revision().publish()  # scheduling does not publish
    bad.go_live_at = soon
    bad.save_revision()
    bad.get_latest_revision().__class__.objects.filter(pk=bad.get_latest_revision().pk).update(
        approved_go_live_at=soon)
    good.refresh_from_db()
    assert not good.live
    import time_machine
    with time_machine.travel(soon + timedelta(seconds=30)):
        call_command("news_publish_due")
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.live and not bad.live
    assert FeedEntry.objects.filter(page=good).exists()
    # The blocked schedule is cancelled, not retried every minute.
    assert not bad.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_unpublish_removes_the_feed_entry(newsroom):
    folder = services.archive_for(newsroom.center)
    page = add_article(folder, publish=True)
    assert FeedEntry.objects.filter(page=page).exists()
    page.unpublish()
    assert not FeedEntry.objects.filter(page=page).exists()


def test_archive_folders_split_by_year_and_month(newsroom):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    when = datetime(2025, 3, 9, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    folder = services.archive_for(newsroom.hetang, when)
    assert folder.slug == "2025-03"
    assert folder.get_parent().slug == "2025"
    assert folder.get_parent().get_parent().specific == newsroom.hetang
    assert services.archive_for(newsroom.hetang, when).pk == folder.pk
