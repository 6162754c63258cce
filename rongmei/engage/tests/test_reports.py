"""举报: once per reader, hidden after N distinct reporters, settled by staff."""

from __future__ import annotations

import pytest

from rongmei.core.errors import PermissionDeniedError, ServiceError
from rongmei.engage import services
from rongmei.engage.models import (
    CommentStatus,
    ModerationLog,
    PageStats,
    Report,
    ReportStatus,
)


@pytest.fixture
def approved(story, people):
    comment = services.comment_post(user=people.resident, page_id=story.pk, body="一条评论")
    services.comment_moderate(actor=people.editor, comment_ids=[comment.pk], decision="approve")
    comment.refresh_from_db()
    return comment


def reporters(make_user, n):
    return [make_user() for _ in range(n)]


def test_a_comment_reported_by_three_readers_is_hidden_until_reviewed(
        client, story, approved, make_user, settings):
    settings.ENGAGE_REPORT_HIDE_THRESHOLD = 3
    first, second, third = reporters(make_user, 3)
    for person in (first, second):
        services.report_file(user=person, comment_id=approved.pk, category="abuse")
    with pytest.raises(ServiceError) as caught:  # the same reader again counts once
        services.report_file(user=first, comment_id=approved.pk, category="spam")
    assert caught.value.code == "already_reported" and caught.value.status == 409
    approved.refresh_from_db()
    assert not approved.hidden_by_reports
    services.report_file(user=third, comment_id=approved.pk, category="rumor", text="不实")
    approved.refresh_from_db()
    assert approved.hidden_by_reports
    assert client.get(f"/api/v1/engage/pages/{story.pk}/comments").json()["items"] == []
    assert PageStats.objects.get(pk=story.pk).comments == 0


def test_dismissing_the_reports_shows_the_comment_again(story, approved, make_user, people,
                                                        settings):
    settings.ENGAGE_REPORT_HIDE_THRESHOLD = 2
    for person in reporters(make_user, 2):
        services.report_file(user=person, comment_id=approved.pk, category="abuse")
    report = Report.objects.first()
    assert services.report_handle(actor=people.editor, report_id=report.pk,
                                  decision="dismiss") == 2
    approved.refresh_from_db()
    assert not approved.hidden_by_reports and approved.status == CommentStatus.APPROVED
    assert PageStats.objects.get(pk=story.pk).comments == 1
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DISMISSED}
    assert ModerationLog.objects.filter(action="dismiss_report", actor=people.editor).exists()


def test_removing_a_reported_comment_settles_every_report_on_it(story, approved, make_user,
                                                                people):
    for person in reporters(make_user, 2):
        services.report_file(user=person, comment_id=approved.pk, category="porn")
    services.report_handle(actor=people.editor, report_id=Report.objects.first().pk,
                           decision="remove", reason="低俗")
    approved.refresh_from_db()
    assert (approved.status, approved.reject_reason) == (CommentStatus.REMOVED, "低俗")
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.ACTIONED}
    assert PageStats.objects.get(pk=story.pk).comments == 0
    with pytest.raises(ServiceError) as caught:
        services.report_handle(actor=people.editor, report_id=Report.objects.first().pk,
                               decision="dismiss")
    assert caught.value.code == "report_closed"


def test_a_page_report_is_taken_down_only_by_a_director_with_rights_on_it(client, story,
                                                                         people, make_user):
    client.force_login(people.other)
    response = client.post(f"/api/v1/engage/pages/{story.pk}/report",
                           {"category": "rumor", "text": "内容不实"},
                           content_type="application/json")
    assert response.status_code == 200
    report = Report.objects.get()
    with pytest.raises(PermissionDeniedError):
        services.report_handle(actor=people.editor, report_id=report.pk, decision="remove")
    with pytest.raises(PermissionDeniedError) as caught:  # no page rights on this section
        services.report_handle(actor=people.director, report_id=report.pk, decision="remove")
    assert caught.value.message == "您没有撤下该稿件的权限"
    assert Report.objects.get().status == ReportStatus.OPEN
    services.report_handle(actor=make_user("administrator"), report_id=report.pk,
                           decision="remove", reason="经核实不实")
    story.refresh_from_db()
    assert not story.live
    assert ModerationLog.objects.filter(action="unpublish", page_id=story.pk).exists()


def test_reports_need_a_category_and_a_signed_in_reader(client, story, approved, people):
    url = f"/api/v1/engage/comments/{approved.pk}/report"
    assert client.post(url, {"category": "abuse"},
                       content_type="application/json").json()["message"] == "请先登录后再举报"
    client.force_login(people.other)
    bad = client.post(url, {"category": "boring"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "category"
    client.force_login(people.resident)
    own = client.post(url, {"category": "abuse"}, content_type="application/json")
    assert own.json()["code"] == "own_comment"


def test_residents_cannot_handle_reports(story, approved, people, make_user):
    services.report_file(user=make_user(), comment_id=approved.pk, category="spam")
    with pytest.raises(PermissionDeniedError):
        services.report_handle(actor=people.resident, report_id=Report.objects.get().pk,
                               decision="dismiss")


def test_approving_a_hidden_comment_in_the_queue_shows_it_again(story, approved, make_user,
                                                                 people, settings):
    settings.ENGAGE_REPORT_HIDE_THRESHOLD = 1
    services.report_file(user=make_user(), comment_id=approved.pk, category="rumor")
    assert PageStats.objects.get(pk=story.pk).comments == 0
    moved = services.comment_moderate(actor=people.editor, comment_ids=[approved.pk],
                                      decision="approve")
    assert moved == [approved]
    approved.refresh_from_db()
    assert approved.is_public and PageStats.objects.get(pk=story.pk).comments == 1
    assert Report.objects.get().status == ReportStatus.DISMISSED
