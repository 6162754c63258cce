"""派单 after it is made, through its doors: cancelled by the editor who made it (or 策划调度)
with a reason the assignee is told; vehicles and equipment freed when the job ends, released
early, and reminded once when past their end; deadlines (no accepting after, a late hand-in
marked 逾期); ids that are not integers refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.planning import dispatch
from rongmei.planning.models import Assignment, AssignmentStatus

from .conftest import api, approved_topic, make_story, slot

pytestmark = pytest.mark.django_db


def _book(client, desk, topic, *, who=None, resource=None, start=None, end=None,
          by=None):
    start, end = (start, end) if start else slot()
    body = {"starts_at": start.isoformat(), "ends_at": end.isoformat()}
    if resource is not None:
        body.update(duty="vehicle", resource_id=resource.pk)
    else:
        body.update(duty="reporter", assignee_id=(who or desk.reporter).pk)
    response = api(client, by or desk.dispatcher, "post", f"/topics/{topic.pk}/assignments",
                    body)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_editor_who_dispatched_cancels_with_a_reason_and_the_assignee_is_told(
        client, desk, make_user):
    from rongmei.notices.models import Notice

    topic = approved_topic(desk)
    start, end = slot()
    made = _book(client, desk, topic, start=start, end=end, by=desk.editor)
    other_editor = make_user("editor")
    refused = api(client, other_editor, "post", f"/assignments/{made['id']}/cancel",
                   {"reason": "改派他人"})
    assert refused.status_code == 403 and "派单编辑或策划调度" in refused.json()["message"]
    assert api(client, desk.reporter, "post", f"/assignments/{made['id']}/cancel",
                {"reason": "不想去"}).status_code == 403
    blank = api(client, desk.editor, "post", f"/assignments/{made['id']}/cancel",
                 {"reason": "  "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    assert Assignment.objects.get(pk=made["id"]).status == AssignmentStatus.OFFERED

    cancelled = api(client, desk.editor, "post", f"/assignments/{made['id']}/cancel",
                     {"reason": "活动延期"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "活动延期"
    told = Notice.objects.filter(user=desk.reporter, title="派单已取消").get()
    assert "活动延期" in told.body and "莲花节开幕" in told.body
    # The 待办 “您有新的派单” is closed: nothing is left to accept.
    assert not Notice.objects.filter(user=desk.reporter, todo_key__startswith="planning:",
                                     done_at=None).exists()
    again = api(client, desk.dispatcher, "post", f"/assignments/{made['id']}/cancel",
                 {"reason": "再取消"})
    assert again.status_code == 409
    # The reporter is free for the same time at once, and the cancelled job is not theirs to
    # accept any more.
    _book(client, desk, approved_topic(desk, title="老街回访"), start=start, end=end)
    assert api(client, desk.reporter, "post",
                f"/assignments/{made['id']}/accept").status_code == 409


def test_the_planning_desk_may_cancel_anyones_assignment_in_the_console(client, desk):
    topic = approved_topic(desk)
    made = _book(client, desk, topic, by=desk.editor)
    client.force_login(desk.dispatcher)
    page = client.get(f"/admin/planning/topics/?day={timezone.localdate():%Y-%m-%d}")
    assert page.status_code == 200 and 'value="cancel"' in page.content.decode()
    client.post("/admin/planning/topics/", {"action": "cancel", "assignment": made["id"],
                                            "reason": "人手调整"})
    row = Assignment.objects.get(pk=made["id"])
    assert row.status == AssignmentStatus.CANCELLED and row.cancelled_by == desk.dispatcher


def test_the_last_hand_in_frees_the_topics_vehicle_and_a_booking_can_be_released_early(
        client, desk):
    from rongmei.planning.models import Resource

    topic = approved_topic(desk)
    start, end = slot(hours_from_now=1, length=3)
    person = _book(client, desk, topic, start=start, end=end)
    camera = _book(client, desk, topic, who=desk.camera, start=start, end=end)
    car = _book(client, desk, topic, resource=desk.vehicle, start=start, end=end)
    assert car["status"] == "booked"
    on_job = api(client, desk.editor, "get", "/board").json()["on_job"]
    assert {"who": "车辆·采访车1号", "status": "已预订"}.items() <= next(
        a for a in on_job if a["who"].startswith("车辆")).items()
    for who, row in ((desk.reporter, person), (desk.camera, camera)):
        api(client, who, "post", f"/assignments/{row['id']}/accept")
    story = make_story(user=desk.reporter)
    assert api(client, desk.reporter, "post", f"/assignments/{person['id']}/hand-in",
                {"story_id": story.pk}).status_code == 200
    # The camera operator is still on the job: the car stays with it.
    assert Assignment.objects.get(pk=car["id"]).status == AssignmentStatus.BOOKED
    api(client, desk.dispatcher, "post", f"/assignments/{camera['id']}/cancel",
         {"reason": "素材已够"})
    freed = Assignment.objects.get(pk=car["id"])
    assert freed.status == AssignmentStatus.RELEASED and freed.closed_at is not None
    _book(client, desk, approved_topic(desk, title="老街回访"), resource=desk.vehicle,
          start=start, end=end)

    kit = Resource.objects.create(name="直播背包", kind="equipment")
    booking = api(client, desk.editor, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "equipment", "resource_id": kit.pk, "starts_at": start.isoformat(),
        "ends_at": end.isoformat()}).json()
    assert api(client, desk.reporter, "post",
                f"/assignments/{booking['id']}/release").status_code == 403
    released = api(client, desk.editor, "post", f"/assignments/{booking['id']}/release")
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert api(client, desk.editor, "post",
                f"/assignments/{booking['id']}/release").status_code == 409
    assert api(client, desk.dispatcher, "post",
                f"/assignments/{person['id']}/release").status_code == 409  # a person
    other = approved_topic(desk, title="夜市")
    assert api(client, desk.editor, "post", f"/topics/{other.pk}/assignments", {
        "duty": "equipment", "resource_id": kit.pk, "starts_at": start.isoformat(),
        "ends_at": end.isoformat()}).status_code == 201


def test_a_booking_past_its_end_and_not_released_reminds_its_editor_once(client, desk):
    from rongmei.notices.models import Notice

    topic = approved_topic(desk)
    start, end = slot(hours_from_now=1, length=1)
    car = _book(client, desk, topic, resource=desk.vehicle, start=start, end=end)
    assert dispatch.remind_overdue(now=end - timedelta(minutes=1)) == 0
    later = end + timedelta(minutes=10)
    assert dispatch.remind_overdue(now=later) == 1
    assert dispatch.remind_overdue(now=later + timedelta(hours=2)) == 0
    notice = Notice.objects.get(kind="planning_overdue")
    assert notice.user == desk.dispatcher and "采访车1号" in notice.body
    assert "归还" in notice.body
    # Confirming the return after the end is the same release.
    assert api(client, desk.dispatcher, "post",
                f"/assignments/{car['id']}/release").json()["status"] == "released"


def test_accepting_after_the_deadline_is_refused_and_a_late_hand_in_is_marked(client, desk):
    from rongmei.notices.models import Notice

    topic = approved_topic(desk)
    offered = _book(client, desk, topic)
    accepted = _book(client, desk, topic, who=desk.camera)
    api(client, desk.camera, "post", f"/assignments/{accepted['id']}/accept")
    past = timezone.now() - timedelta(hours=1)
    Assignment.objects.filter(pk__in=[offered["id"], accepted["id"]]).update(
        starts_at=past - timedelta(hours=2), ends_at=past)

    client.force_login(desk.reporter)
    phone = client.get("/planning/work/").content.decode()
    assert "已过截止时间，不能接单" in phone and 'data-testid="pl-accept"' not in phone
    client.post(f"/planning/work/{offered['id']}/accept/")  # a stale page is refused too
    assert Assignment.objects.get(pk=offered["id"]).status == AssignmentStatus.OFFERED
    late = api(client, desk.reporter, "post", f"/assignments/{offered['id']}/accept")
    assert late.status_code == 409 and late.json()["code"] == "deadline_passed"
    assert "已过截止时间" in late.json()["message"] and "不能接单" in late.json()["message"]
    assert Assignment.objects.get(pk=offered["id"]).status == AssignmentStatus.OFFERED
    # Declining it is still possible (the editor learns why).
    assert api(client, desk.reporter, "post", f"/assignments/{offered['id']}/decline",
                {"reason": "已过时间"}).json()["status"] == "declined"

    story = make_story(user=desk.camera)
    handed = api(client, desk.camera, "post", f"/assignments/{accepted['id']}/hand-in",
                  {"story_id": story.pk})
    assert handed.status_code == 200, handed.content
    assert handed.json()["status"] == "submitted" and handed.json()["late"] is True
    assert Notice.objects.filter(user=desk.dispatcher, title="派单已交稿（逾期交稿）").exists()
    client.force_login(desk.camera)
    assert "已交稿（逾期）" in client.get("/planning/work/").content.decode()
    on_time = _book(client, desk, approved_topic(desk, title="按时"), who=desk.camera)
    api(client, desk.camera, "post", f"/assignments/{on_time['id']}/accept")
    story2 = make_story(title="按时交稿", user=desk.camera)
    assert api(client, desk.camera, "post", f"/assignments/{on_time['id']}/hand-in",
                {"story_id": story2.pk}).json()["late"] is False


def test_an_id_sent_as_true_or_as_text_is_a_400_naming_the_field(client, desk):
    topic = approved_topic(desk)
    row = _book(client, desk, topic)
    api(client, desk.reporter, "post", f"/assignments/{row['id']}/accept")
    story = make_story(user=desk.reporter)
    for value in (True, "1", str(story.pk), 1.5):
        answer = api(client, desk.reporter, "post", f"/assignments/{row['id']}/hand-in",
                      {"story_id": value})
        assert answer.status_code == 400, (value, answer.content)
        assert answer.json()["field"] == "story_id" and answer.json()["code"] == "invalid_id"
        assert "应为正整数" in answer.json()["message"]
    assert Assignment.objects.get(pk=row["id"]).status == AssignmentStatus.ACCEPTED
    start, end = slot(hours_from_now=5)
    for body in ({"duty": "reporter", "assignee_id": True},
                 {"duty": "vehicle", "resource_id": True}):
        answer = api(client, desk.dispatcher, "post", f"/topics/{topic.pk}/assignments", {
            **body, "starts_at": start.isoformat(), "ends_at": end.isoformat()})
        assert answer.status_code == 400 and answer.json()["code"] == "invalid_id", body
    tip = api(client, desk.editor, "post", "/desk/tips", {"title": "路灯", "body": "不亮",
                                                         "unit_id": True})
    assert tip.status_code == 400 and tip.json()["field"] == "unit_id"
    assert Assignment.objects.count() == 1
    # A JSON integer written as 5.0 is the same number.
    assert api(client, desk.reporter, "post", f"/assignments/{row['id']}/hand-in",
                {"story_id": float(story.pk)}).status_code == 200
