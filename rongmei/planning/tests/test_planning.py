"""策划指挥 through its doors: a resident's tip adopted into a topic, staffed, accepted and
handed in with the byline; double booking refused; the tip's contact private; the overdue
reminder sent once; bad input refused in Chinese with nothing half-written."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.planning import dispatch, services
from rongmei.planning.models import (
    Assignment,
    AssignmentStatus,
    Tip,
    TipStatus,
    Topic,
    TopicStatus,
)

from .conftest import api, approved_topic, make_story, slot

pytestmark = pytest.mark.django_db


def test_a_tip_becomes_a_topic_an_accepted_assignment_and_a_credited_published_story(
        client, desk):
    from rongmei.news.models import StoryPage
    from rongmei.notices.models import Notice

    sent = api(client, desk.resident, "post", "/tips", {
        "title": "荷塘镇莲田试灯", "body": "今晚八点试灯，场面壮观。", "place": "荷塘镇",
        "latitude": "27.25", "longitude": "116.33", "contact_phone": "13912345678"})
    assert sent.status_code == 201, sent.content
    tip_id = sent.json()["id"]

    desk_list = api(client, desk.editor, "get", "/desk/tips").json()
    assert [t["id"] for t in desk_list] == [tip_id]
    assert "13912345678" not in json.dumps(desk_list) and "139****5678" in desk_list[0]["contact"]

    adopted = api(client, desk.editor, "post", f"/desk/tips/{tip_id}/triage",
                   {"decision": "adopt", "note": "做莲花节系列"})
    assert adopted.status_code == 200 and adopted.json()["status"] == "adopted"
    topic_id = adopted.json()["topic_id"]
    mine = api(client, desk.resident, "get", "/tips/mine").json()
    assert mine[0]["outcome"] == "已采用"
    assert Notice.objects.filter(user=desk.resident, kind="planning_tip_outcome").count() == 1

    review = api(client, desk.editor, "post", f"/topics/{topic_id}/review",
                  {"decision": "approve"})
    assert review.json()["status"] == "approved"
    start, end = slot()
    made = []
    for who, duty in ((desk.reporter, "reporter"), (desk.camera, "camera")):
        response = api(client, desk.dispatcher, "post", f"/topics/{topic_id}/assignments", {
            "duty": duty, "assignee_id": who.pk, "starts_at": start.isoformat(),
            "ends_at": end.isoformat(), "place": "荷塘镇莲田"})
        assert response.status_code == 201, response.content
        made.append(response.json()["id"])
    vehicle = api(client, desk.dispatcher, "post", f"/topics/{topic_id}/assignments", {
        "duty": "vehicle", "resource_id": desk.vehicle.pk, "starts_at": start.isoformat(),
        "ends_at": end.isoformat()})
    assert vehicle.status_code == 201

    for who, pk in zip((desk.reporter, desk.camera), made):
        assert api(client, who, "post", f"/assignments/{pk}/accept").json()["status"] == \
            "accepted"
    progress = api(client, desk.reporter, "post", f"/assignments/{made[0]}/progress",
                    {"text": "已到现场"})
    assert progress.json()["progress"] == ["已到现场"]
    # Only the assignee may act on an assignment: anyone else is told it does not exist.
    assert api(client, desk.camera, "post", f"/assignments/{made[0]}/accept").status_code == 404

    story = make_story(user=desk.reporter)
    handed = api(client, desk.reporter, "post", f"/assignments/{made[0]}/hand-in",
                  {"story_id": story.pk})
    assert handed.status_code == 200, handed.content
    assert handed.json()["credits"] == "记者 陈思远 摄像 李摄像"
    StoryPage.objects.get(pk=story.pk).get_latest_revision().publish()
    published = StoryPage.objects.get(pk=story.pk)
    assert published.live and published.reporter == "记者 陈思远 摄像 李摄像"
    assert Assignment.objects.get(pk=made[0]).story_id == story.pk

    board = api(client, desk.editor, "get", "/board").json()
    assert board["topics"][0]["title"] == "荷塘镇莲田试灯"
    assert any(s["title"] == "莲花节开幕了" for s in board["published_today"])
    assert api(client, desk.resident, "get", "/board").status_code == 403


def test_double_booking_a_person_or_a_vehicle_is_refused_in_chinese(client, desk):
    topic = approved_topic(desk)
    other = approved_topic(desk, title="老街回访")
    start, end = slot(hours_from_now=2, length=3)
    dispatch.assignment_create(actor=desk.dispatcher, topic=topic, duty="reporter",
                               assignee_id=desk.reporter.pk, starts_at=start, ends_at=end)
    dispatch.assignment_create(actor=desk.dispatcher, topic=topic, duty="vehicle",
                               resource_id=desk.vehicle.pk, starts_at=start, ends_at=end)
    overlapping = (start + timedelta(hours=1)).isoformat()
    for body, field in (
            ({"duty": "reporter", "assignee_id": desk.reporter.pk}, "assignee_id"),
            ({"duty": "vehicle", "resource_id": desk.vehicle.pk}, "resource_id")):
        response = api(client, desk.dispatcher, "post", f"/topics/{other.pk}/assignments", {
            **body, "starts_at": overlapping,
            "ends_at": (end + timedelta(hours=1)).isoformat()})
        assert response.status_code == 409
        assert response.json()["code"] == "double_booked"
        assert response.json()["field"] == field and "莲花节开幕" in response.json()["message"]
    assert Assignment.objects.filter(topic=other).count() == 0
    # Back to back is not a clash; a declined assignment frees the person.
    dispatch.assignment_create(actor=desk.dispatcher, topic=other, duty="reporter",
                               assignee_id=desk.reporter.pk, starts_at=end,
                               ends_at=end + timedelta(hours=1))
    first = Assignment.objects.get(topic=topic, duty="reporter")
    dispatch.assignment_respond(actor=desk.reporter, assignment=first, accept=False,
                                reason="另有采访")
    dispatch.assignment_create(actor=desk.dispatcher, topic=other, duty="reporter",
                               assignee_id=desk.reporter.pk, starts_at=start, ends_at=end)


def test_bad_input_is_refused_in_chinese_and_nothing_is_half_written(client, desk,
                                                                      blocked_words):
    topic = approved_topic(desk)
    past = timezone.now() - timedelta(hours=1)
    response = api(client, desk.dispatcher, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "reporter", "assignee_id": desk.reporter.pk, "starts_at": past.isoformat(),
        "ends_at": (past + timedelta(hours=3)).isoformat()})
    assert response.status_code == 400
    assert response.json() == {"code": "time_past", "message": "开始时间不能早于现在",
                               "field": "starts_at"}
    start, end = slot()
    backwards = api(client, desk.dispatcher, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "camera", "assignee_id": desk.camera.pk, "starts_at": end.isoformat(),
        "ends_at": start.isoformat()})
    assert backwards.status_code == 400 and backwards.json()["message"] == "截止时间须晚于开始时间"
    # A reporter may not dispatch; a topic not approved cannot be staffed.
    assert api(client, desk.reporter, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "camera", "assignee_id": desk.camera.pk, "starts_at": start.isoformat(),
        "ends_at": end.isoformat()}).status_code == 403
    assert Assignment.objects.count() == 0

    blocked = api(client, desk.resident, "post", "/tips", {
        "title": "有人搞网络赌博", "body": "就在街口"})
    assert blocked.status_code == 400 and blocked.json()["code"] == "wordgate_blocked"
    assert "禁用词" in blocked.json()["message"] and blocked.json()["field"] == "title"
    blank = api(client, desk.resident, "post", "/tips", {"title": "  ", "body": "内容"})
    assert blank.status_code == 400 and blank.json()["message"] == "请填写标题"
    half = api(client, desk.resident, "post", "/tips", {"title": "a", "body": "b",
                                                         "latitude": "27.1"})
    assert half.status_code == 400 and half.json()["message"] == "请同时提供经度和纬度"
    assert Tip.objects.count() == 0

    tip = services.tip_submit(sender=desk.resident, title="路灯坏了", body="解放路路灯不亮")
    no_note = api(client, desk.editor, "post", f"/desk/tips/{tip.pk}/triage",
                   {"decision": "reject"})
    assert no_note.status_code == 400 and no_note.json()["message"] == "不采用时请填写原因"
    rejected = api(client, desk.editor, "post", f"/desk/tips/{tip.pk}/triage",
                    {"decision": "reject", "note": "已转12345热线"})
    assert rejected.json()["status"] == "rejected"
    again = api(client, desk.editor, "post", f"/desk/tips/{tip.pk}/triage",
                 {"decision": "adopt"})
    assert again.status_code == 409 and Topic.objects.count() == 1
    assert services.tip_triage  # the sender reads the reason
    assert api(client, desk.resident, "get", "/tips/mine").json()[0]["outcome"] == \
        "未采用：已转12345热线"
    past_topic = api(client, desk.reporter, "post", "/topics", {
        "title": "旧闻", "angle": "回顾", "outlets": ["app"],
        "planned_date": str(timezone.localdate() - timedelta(days=1))})
    assert past_topic.status_code == 400 and past_topic.json()["field"] == "planned_date"


def test_a_tips_contact_is_shown_only_to_the_dispatcher_and_every_look_is_logged(
        client, desk):
    from rongmei.accounts.models import PersonalDataAccess

    tip = services.tip_submit(sender=desk.resident, title="小区停水", body="三天没水",
                              contact_name="王小明", contact_phone="13912345678")
    for person in (desk.editor, desk.reporter, desk.resident):
        refused = api(client, person, "post", f"/desk/tips/{tip.pk}/contact", {})
        assert refused.status_code == 403 and "13912345678" not in refused.content.decode()
    client.force_login(desk.editor)
    page = client.get("/admin/planning/tips/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "小区停水" in text and "13912345678" not in text and "139****5678" in text
    assert "王小明" not in text
    assert not PersonalDataAccess.objects.exists()
    shown = api(client, desk.dispatcher, "post", f"/desk/tips/{tip.pk}/contact",
                 {"reason": "核实停水范围"})
    assert shown.json() == {"name": "王小明", "phone": "13912345678"}
    log = PersonalDataAccess.objects.get()
    assert log.viewer == desk.dispatcher and log.subject == desk.resident
    assert "核实停水范围" in log.reason


def test_an_overdue_assignment_reminds_the_assignee_and_the_editor_once(desk):
    from rongmei.notices.models import Notice

    topic = approved_topic(desk)
    start, end = slot(hours_from_now=1, length=1)
    row = dispatch.assignment_create(actor=desk.dispatcher, topic=topic, duty="reporter",
                                     assignee_id=desk.reporter.pk, starts_at=start, ends_at=end)
    dispatch.assignment_respond(actor=desk.reporter, assignment=row, accept=True)
    assert dispatch.remind_overdue(now=end - timedelta(minutes=1)) == 0
    later = end + timedelta(minutes=5)
    assert dispatch.remind_overdue(now=later) == 1
    assert dispatch.remind_overdue(now=later + timedelta(hours=1)) == 0
    reminded = Notice.objects.filter(kind="planning_overdue")
    assert sorted(n.user_id for n in reminded) == sorted([desk.reporter.pk, desk.dispatcher.pk])
    # A handed-in assignment is never overdue.
    done = dispatch.assignment_create(actor=desk.dispatcher, topic=topic, duty="camera",
                                      assignee_id=desk.camera.pk, starts_at=start, ends_at=end)
    Assignment.objects.filter(pk=done.pk).update(status=AssignmentStatus.SUBMITTED)
    assert dispatch.remind_overdue(now=later) == 0


def test_the_console_triages_proposes_dispatches_and_the_board_polls_json(client, desk):
    tip = services.tip_submit(sender=desk.resident, title="莲子丰收", body="荷塘镇莲子丰收")
    client.force_login(desk.editor)
    client.post("/admin/planning/tips/", {"tip": tip.pk, "decision": "adopt"})
    tip.refresh_from_db()
    assert tip.status == TipStatus.ADOPTED and tip.topic is not None
    client.post("/admin/planning/topics/", {"topic": tip.topic.pk, "decision": "approve"})
    assert Topic.objects.get(pk=tip.topic.pk).status == TopicStatus.APPROVED
    start, end = slot()
    fmt = "%Y-%m-%dT%H:%M"
    client.post("/admin/planning/topics/", {
        "action": "assign", "topic": tip.topic.pk, "duty": "reporter", "who": desk.reporter.pk,
        "starts_at": timezone.localtime(start).strftime(fmt),
        "ends_at": timezone.localtime(end).strftime(fmt), "place": "荷塘镇"})
    assert Assignment.objects.filter(assignee=desk.reporter).count() == 1
    week = client.get("/admin/planning/topics/?span=week")
    assert week.status_code == 200 and "莲子丰收" in week.content.decode()
    board = client.get("/admin/planning/board/?format=json")
    assert board.status_code == 200 and board.json()["topics"][0]["title"] == "莲子丰收"
    assert client.get("/admin/planning/board/").status_code == 200
    client.force_login(desk.resident)
    assert client.get("/admin/planning/board/").status_code in (302, 403)


def test_a_wenzheng_case_becomes_a_tip_with_one_action_once(client, desk, make_user):
    from django.apps import apps

    if not apps.is_installed("rongmei.wenzheng"):
        pytest.skip("问政未开启")
    from rongmei.core.roles import WENZHENG_HANDLER
    from rongmei.wenzheng.models import Case, CaseCategory

    category = CaseCategory.objects.first() or CaseCategory.objects.create(name="城市管理")
    case = Case.objects.create(receipt_no="WZ20260001", user=desk.resident, category=category,
                               idempotency_key="k1", title="路灯不亮",
                               description="我叫李秀英，电话13712345678，解放路路灯坏了",
                               address="解放路88号")
    handler = make_user(WENZHENG_HANDLER)
    # A case not (yet) public holds the citizen's own words: it does not become a lead.
    private = api(client, handler, "post", f"/desk/tips/from-wenzheng/{case.pk}")
    assert private.status_code == 409 and private.json()["code"] == "case_not_public"
    assert not Tip.objects.exists()
    Case.objects.filter(pk=case.pk).update(
        is_public=True, public_title="解放路路灯不亮",
        public_description="市民反映解放路路灯坏了，联系电话13712345678")
    made = api(client, handler, "post", f"/desk/tips/from-wenzheng/{case.pk}")
    assert made.status_code == 201 and made.json()["wenzheng_receipt"] == "WZ20260001"
    tip = Tip.objects.get()
    assert "13712345678" not in tip.body and "李秀英" not in tip.body
    assert "88号" not in tip.place
    assert made.json()["contact"] == ""  # the citizen's contact stays in 问政
    again = api(client, handler, "post", f"/desk/tips/from-wenzheng/{case.pk}")
    assert again.status_code == 409 and Tip.objects.count() == 1
    assert api(client, desk.resident, "post",
                f"/desk/tips/from-wenzheng/{case.pk}").status_code == 403


def test_only_the_assignees_own_story_is_handed_in_and_times_stay_sane(client, desk):
    topic = approved_topic(desk)
    start, end = slot()
    made = api(client, desk.editor, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "reporter", "assignee_id": desk.reporter.pk, "starts_at": start,
        "ends_at": end})
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert api(client, desk.reporter, "post", f"/assignments/{pk}/accept").status_code == 200
    colleagues = make_story(title="编辑乙的稿件", user=desk.editor)
    refused = api(client, desk.reporter, "post", f"/assignments/{pk}/hand-in",
                   {"story_id": colleagues.pk})
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_story"
    assert colleagues.get_latest_revision().user_id == desk.editor.pk  # byline untouched
    assert Assignment.objects.get(pk=pk).status == AssignmentStatus.ACCEPTED
    # A year-9999 end (which overflowed local time and broke the board) and a time without
    # a zone (a 500) are answered in Chinese.
    far = api(client, desk.editor, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "vehicle", "resource_id": desk.vehicle.pk, "starts_at": start,
        "ends_at": "9999-12-31T20:00:00+00:00"})
    assert far.status_code == 400 and far.json()["code"] == "time_far"
    naive = api(client, desk.editor, "post", f"/topics/{topic.pk}/assignments", {
        "duty": "vehicle", "resource_id": desk.vehicle.pk,
        "starts_at": timezone.localtime(start).replace(tzinfo=None).isoformat(),
        "ends_at": timezone.localtime(end).replace(tzinfo=None).isoformat()})
    assert naive.status_code == 201, naive.json()
    assert api(client, desk.editor, "get", "/board").status_code == 200


def test_merges_never_form_a_cycle_or_land_on_a_closed_item(client, desk):
    a, b = (services.tip_report(actor=desk.editor, title=t, body="某村道路塌方需要关注")
            for t in ("线索甲", "线索乙"))
    assert api(client, desk.editor, "post", f"/desk/tips/{a.pk}/triage",
                {"decision": "merge", "merge_into_id": b.pk}).status_code == 200
    back = api(client, desk.editor, "post", f"/desk/tips/{b.pk}/triage",
                {"decision": "merge", "merge_into_id": a.pk})
    assert back.status_code == 400 and back.json()["field"] == "merge_into_id"
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    t1, t2 = (api(client, desk.reporter, "post", "/topics", {
        "title": title, "angle": "现场直击", "planned_date": day}).json()["id"]
        for title in ("选题一", "选题二"))
    assert api(client, desk.editor, "post", f"/topics/{t1}/review",
                {"decision": "merge", "merge_into_id": t2}).status_code == 200
    assert api(client, desk.editor, "post", f"/topics/{t2}/review",
                {"decision": "merge", "merge_into_id": t1}).status_code == 400
    assert [t["id"] for t in api(client, desk.editor, "get", f"/topics?day={day}").json()] == [t2]
    adopt = api(client, desk.editor, "post", f"/desk/tips/{b.pk}/triage",
                 {"decision": "adopt", "topic_id": t1})  # t1 was merged away
    assert adopt.status_code == 400 and Tip.objects.get(pk=b.pk).status == TipStatus.NEW


def test_the_console_desk_and_the_plan_are_scoped_for_units_and_reporters(client, desk,
                                                                          make_user, county):
    services.tip_submit(sender=desk.resident, title="居民爆料", body="小区门口积水严重无法通行")
    client.force_login(desk.reporter)
    page = client.get("/admin/planning/tips/?status=new").content.decode()
    assert "小区门口积水" not in page
    client.force_login(desk.dispatcher)
    assert "小区门口积水" in client.get("/admin/planning/tips/?status=new").content.decode()
    approved_topic(desk, title="编辑部内部选题")
    unit_admin = make_user("unit_admin", unit=county.hetang)
    day = timezone.localdate().isoformat()
    listed = api(client, unit_admin, "get", f"/topics?day={day}&span=week")
    assert listed.status_code == 200
    assert "编辑部内部选题" not in json.dumps(listed.json(), ensure_ascii=False)



def _documented(operation_path: str, method: str = "post"):
    """A validator for the documented request body (or the query parameters) of a route."""
    import jsonschema

    from rongmei.config.api import api

    document = api.get_openapi_schema()
    operation = document["paths"][f"/api/v1/planning{operation_path}"][method]
    if method == "get":
        schema = {"type": "object", "properties": {
            p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}}
    else:
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_what_the_server_refuses_the_schema_refuses_too(client, desk):
    """Every request refused here with a 400 or 422 is one the OpenAPI document already calls
    invalid (it documented 200-character titles, any string as a coordinate and 02-30 as a
    day), and what the document calls valid is accepted."""
    tips, unit_tips = _documented("/tips"), _documented("/desk/tips")
    refused = [
        {"title": "", "body": "今晚八点试灯"}, {"title": "  ", "body": "今晚八点试灯"},
        {"title": "试灯", "body": "\u3000"}, {"title": "长" * 61, "body": "今晚八点试灯"},
        {"title": "试灯", "body": "字" * 2001}, {"title": "试灯", "body": "b", "place": "地" * 101},
        {"title": "试灯", "body": "b", "contact_name": "名" * 21},
        {"title": "试灯", "body": "b", "contact_phone": "12345"},
        {"title": "试灯", "body": "b", "latitude": "27.1"},
        {"title": "试灯", "body": "b", "latitude": 27.1, "longitude": None},
        {"title": "试灯", "body": "b", "latitude": "abc", "longitude": "116.3"},
        {"title": "试灯", "body": "b", "latitude": "95", "longitude": "116.3"},
    ]
    for body in refused:
        answer = api(client, desk.resident, "post", "/tips", body)
        assert answer.status_code in (400, 422), (body, answer.status_code)
        assert not tips.is_valid(body), body
    for body in refused[:6]:
        answer = api(client, desk.editor, "post", "/desk/tips", body)
        assert answer.status_code in (400, 422), (body, answer.status_code)
        assert not unit_tips.is_valid(body), body
    accepted = {"title": "荷塘镇莲田试灯", "body": "今晚八点试灯。", "latitude": "27.25",
                "longitude": 116.33, "contact_phone": "13912345678", "contact_name": "张" * 20}
    assert tips.is_valid(accepted)
    assert api(client, desk.resident, "post", "/tips", accepted).status_code == 201
    topics = _documented("/topics", "get")
    for day in ("2026-02-30", "2026-13-01"):
        assert api(client, desk.editor, "get", f"/topics?day={day}").status_code == 400
        assert not topics.is_valid({"day": day}), day
    for day in ("", "2026-07-15", "9999-12-31", "0001-01-01"):
        assert topics.is_valid({"day": day, "span": "week"})
        answer = api(client, desk.editor, "get", f"/topics?day={day}&span=week")
        assert answer.status_code == 200, (day, answer.content)  # 9999-12-31 was a 400
