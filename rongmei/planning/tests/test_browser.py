"""In a real browser on a 390×844 phone: a reporter opens 我的派单, accepts an assignment and
hands in a story; the story's byline comes from the assignment."""

import pytest

from rongmei.browser_testing import assert_accessible, assert_no_page_problems, open_page
from rongmei.tests_support import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reporter_accepts_an_assignment_and_hands_in_a_story_on_a_phone(
        live_site, browser, browser_context_args):
    from rongmei.core.roles import DISPATCHER, EDITOR, REPORTER
    from rongmei.news.models import StoryPage
    from rongmei.planning import dispatch, services
    from rongmei.planning.models import Assignment, AssignmentStatus

    from .conftest import make_story, slot

    assert browser_context_args["viewport"] == {"width": 390, "height": 844}
    reporter = make_user(REPORTER, phone="13712345701", name="陈思远")
    dispatcher = make_user(DISPATCHER)
    editor = make_user(EDITOR)
    from django.utils import timezone

    topic = services.topic_propose(actor=reporter, title="莲花节开幕式", angle="开幕现场",
                                   planned_date=timezone.localdate(), outlets=["app"])
    topic = services.topic_review(actor=editor, topic=topic, decision="approve")
    start, end = slot()
    assignment = dispatch.assignment_create(
        actor=dispatcher, topic=topic, duty="reporter", assignee_id=reporter.pk,
        starts_at=start, ends_at=end, place="荷塘镇莲田", note="图文快讯")
    story = make_story(title="荷塘镇莲花节开幕", user=reporter)

    page = open_page(browser, browser_context_args)
    page.goto(live_site.url("/admin/login/?next=/planning/work/"))
    page.locator("input[name=username]").fill(reporter.phone)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    page.goto(live_site.url("/planning/work/"))
    card = page.get_by_test_id(f"pl-assignment-{assignment.pk}")
    assert "莲花节开幕式" in card.inner_text() and "待接单" in card.inner_text()
    assert_accessible(page, "我的派单")
    with page.expect_navigation():
        card.get_by_test_id("pl-accept").click()
    card = page.get_by_test_id(f"pl-assignment-{assignment.pk}")
    assert card.get_by_test_id("pl-state").inner_text() == "已接单"
    card.get_by_test_id("pl-story-id").fill(str(story.pk))
    with page.expect_navigation():
        card.get_by_test_id("pl-hand-in").click()
    card = page.get_by_test_id(f"pl-assignment-{assignment.pk}")
    assert card.get_by_test_id("pl-state").inner_text() == "已交稿"
    assert "荷塘镇莲花节开幕" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_page_problems(page)
    page.context.close()

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED and assignment.story_id == story.pk
    draft = StoryPage.objects.get(pk=story.pk).get_latest_revision_as_object()
    assert draft.reporter == "记者 陈思远"
    assert Assignment.objects.filter(assignee=reporter).count() == 1
