"""策划日历 through its doors: the desk puts the 莲花节 on the calendar, plans its coverages
per outlet (文字, 图片, 视频, 直播), staffs one as an approved topic and dispatches on it;
bad input is refused in Chinese with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.planning.models import Coverage, Event, TopicStatus

from .conftest import api

pytestmark = pytest.mark.django_db


def test_the_lotus_festival_is_planned_per_outlet_staffed_and_dispatched(client, desk):
    start = timezone.now() + timedelta(days=2)
    made = api(client, desk.editor, "post", "/events", {
        "title": "第十届荷塘莲花节开幕式", "kind": "festival", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(), "place": "荷塘镇莲花广场"})
    assert made.status_code == 201, made.content
    event_id = made.json()["id"]
    for kind, outlets in (("live", ["app", "douyin"]), ("text", ["app", "wechat"]),
                          ("live", ["app", "douyin", "tv"])):  # re-planned, not doubled
        planned = api(client, desk.editor, "post", f"/events/{event_id}/coverages",
                       {"kind": kind, "outlets": outlets, "note": "开幕式全程"})
        assert planned.status_code == 200, planned.content
    coverages = {c["kind"]: c for c in planned.json()["coverages"]}
    assert set(coverages) == {"live", "text"}
    assert coverages["live"]["outlets"] == ["app", "douyin", "tv"]

    day = timezone.localdate(start).isoformat()
    week = api(client, desk.reporter, "get", f"/events?day={day}&span=week").json()
    assert [e["title"] for e in week] == ["第十届荷塘莲花节开幕式"]
    assert api(client, desk.resident, "get", "/events").status_code == 403

    staffed = api(client, desk.editor, "post", f"/coverages/{coverages['live']['id']}/topic")
    assert staffed.status_code == 201, staffed.content
    topic = staffed.json()
    assert topic["status"] == TopicStatus.APPROVED and topic["title"].endswith("·直播")
    assert topic["outlets"] == ["app", "douyin", "tv"] and topic["planned_date"] == day
    again = api(client, desk.editor, "post", f"/coverages/{coverages['live']['id']}/topic")
    assert again.status_code == 409
    booked = api(client, desk.dispatcher, "post", f"/topics/{topic['id']}/assignments", {
        "duty": "camera", "assignee_id": desk.camera.pk, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(), "place": "荷塘镇莲花广场"})
    assert booked.status_code == 201, booked.content

    now = timezone.now()
    under_way = api(client, desk.editor, "post", "/events", {
        "title": "莲子采摘体验", "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(), "place": "荷塘镇"}).json()
    api(client, desk.editor, "post", f"/events/{under_way['id']}/coverages",
         {"kind": "photo"})
    board = api(client, desk.editor, "get", "/board").json()
    assert [(e["title"], e["coverages"]) for e in board["events"]] == [("莲子采摘体验", "图片")]
    client.force_login(desk.editor)
    page = client.get(f"/admin/planning/topics/?day={day}").content.decode()
    assert "第十届荷塘莲花节开幕式" in page and "已立项" in page and "立项派单" in page


def test_the_console_registers_an_event_and_refuses_bad_input_in_chinese(client, desk,
                                                                         blocked_words):
    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0,
                                                                           microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    client.force_login(desk.editor)
    client.post("/admin/planning/topics/", {
        "action": "event", "title": "全县三级干部会", "kind": "meeting",
        "starts_at": start.strftime(fmt), "ends_at": (start + timedelta(hours=2)).strftime(fmt)})
    event = Event.objects.get()
    assert event.kind == "meeting" and event.created_by == desk.editor
    client.post("/admin/planning/topics/", {"action": "coverage", "event": event.pk,
                                            "kind": "photo", "outlets": ["app", "website"]})
    assert Coverage.objects.get().outlet_labels == "客户端、网站"

    for body, field in (
            ({"title": "网络赌博专项整治会"}, "title"),
            ({"ends_at": (start - timedelta(hours=1)).isoformat()}, "ends_at"),
            ({"starts_at": (start - timedelta(days=3)).isoformat(),
              "ends_at": (start - timedelta(days=2)).isoformat()}, "ends_at")):
        answer = api(client, desk.editor, "post", "/events", {
            "title": "会议", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), **body})
        assert answer.status_code == 400 and answer.json()["field"] == field, body
    assert api(client, desk.reporter, "post", "/events", {
        "title": "会议", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat()}).status_code == 403
    no_outlet = api(client, desk.editor, "post", f"/events/{event.pk}/coverages",
                     {"kind": "video", "outlets": []})
    assert no_outlet.status_code == 400 and no_outlet.json()["field"] == "outlets"
    assert Event.objects.count() == 1 and Coverage.objects.count() == 1
