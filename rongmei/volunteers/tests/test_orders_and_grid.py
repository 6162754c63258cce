"""The 文明实践 loop 点单 → 派单 → 接单 → 评单 with a deadline per step and a board; 三长
services confirmed by the township pay the 三长服务 rule once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from rongmei.points.models import PointsEntry
from rongmei.tests_support import make_user
from rongmei.volunteers.models import Activity, MenuItem, ServiceOrder

API = "/api/v1/volunteers"


def post(client, user, path, body=None):
    client.force_login(user)
    return client.post(API + path, body or {}, content_type="application/json")


@pytest.mark.django_db
@override_settings(RONGMEI_VOLUNTEER_CENTER="T-RMT")
def test_order_dispatch_accept_rate_with_deadlines(client, vx):
    resident = make_user()
    item = MenuItem.objects.get(name="助老服务")
    created = post(client, resident, "/orders", {"item_id": item.pk,
                                                 "area_id": vx.county.shangtang.pk,
                                                 "address": "上塘村5组",
                                                 "request": "老人独居，需要代购降压药"})
    assert created.status_code == 200, created.content
    order = ServiceOrder.objects.get()
    assert order.status == "ordered" and order.due_at > timezone.now() + timedelta(hours=23)

    # a volunteer leader outside the 文明实践中心 may not dispatch
    refused = post(client, vx.leader, f"/orders/{order.pk}/dispatch", {"team_id": vx.team.pk})
    assert refused.status_code == 403 and refused.json()["message"] == "只有文明实践中心可以派单"
    # a day passes: the board shows it overdue at 上塘村's township
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        board = client.get(f"{API}/orders/board").json()
        assert board["overdue"] == 1
        assert board["townships"][0]["name"] == "荷塘镇" and board["townships"][0]["overdue"] == 1
    center = make_user("volunteer_leader", unit=vx.county.center)
    dispatched = post(client, center, f"/orders/{order.pk}/dispatch", {"team_id": vx.team.pk})
    assert dispatched.json()["status"] == "dispatched"
    twice = post(client, center, f"/orders/{order.pk}/dispatch", {"team_id": vx.team.pk})
    assert twice.status_code == 409 and "待接单" in twice.json()["message"]

    start = timezone.now() + timedelta(days=2)
    other = post(client, vx.other_leader, f"/orders/{order.pk}/accept", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
    assert other.status_code == 403
    early_rate = post(client, resident, f"/orders/{order.pk}/rate", {"rating": 5})
    assert early_rate.status_code == 409 and early_rate.json()["message"] == "服务完成后才能评价"
    accepted = post(client, vx.leader, f"/orders/{order.pk}/accept", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 3})
    assert accepted.json()["status"] == "accepted"
    activity = Activity.objects.get(pk=accepted.json()["activity_id"])
    assert activity.team == vx.team and activity.title == "助老服务（群众点单）"
    # The activity is public: it names the area, never the resident's address or request.
    assert "上塘村5组" not in activity.place and "上塘村5组" not in activity.description
    assert order.request not in activity.description
    assert activity.place.startswith(order.area.name)
    page = client.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert "上塘村5组" not in page and order.request not in page

    with time_machine.travel(start + timedelta(hours=2), tick=False):
        assert post(client, vx.leader, f"/orders/{order.pk}/finish").json()["status"] == "done"
        stranger = post(client, make_user(), f"/orders/{order.pk}/rate", {"rating": 5})
        assert stranger.status_code == 404
        rated = post(client, resident, f"/orders/{order.pk}/rate", {"rating": 4,
                                                                   "comment": "很及时"})
        assert rated.json()["status"] == "rated"
        board = client.get(f"{API}/orders/board").json()
    team_row = next(row for row in board["teams"] if row["name"] == vx.team.name)
    assert team_row == {"name": vx.team.name, "total": 1, "open": 0, "overdue": 0, "done": 1,
                        "rating": 4.0}


@pytest.mark.django_db
def test_a_declined_order_goes_back_to_the_center(client, vx):
    resident, center = make_user(), make_user("operator")
    order = ServiceOrder.objects.get(pk=post(client, resident, "/orders", {
        "request": "家里电路跳闸", "area_id": vx.county.hetang.pk, "address": "荷塘街1号"}
    ).json()["id"])
    post(client, center, f"/orders/{order.pk}/dispatch", {"team_id": vx.team.pk})
    no_reason = post(client, vx.leader, f"/orders/{order.pk}/decline", {"reason": " "})
    assert no_reason.json()["message"] == "请填写退单原因"
    back = post(client, vx.leader, f"/orders/{order.pk}/decline", {"reason": "本周人手不足"})
    assert back.json()["status"] == "ordered" and back.json()["team"] is None


@pytest.mark.django_db
def test_grid_services_pay_the_sanzhang_rule_once(client, county):
    grid = make_user("grid_leader", unit=county.shangtang)
    township = make_user("unit_handler", unit=county.hetang)
    elsewhere = make_user("unit_handler", unit=county.baishui)
    today = timezone.localdate().isoformat()
    outside = post(client, grid, "/grid-services", {"unit_id": county.baishui.pk,
                                                    "kind": "visit", "served_on": today,
                                                    "description": "走访独居老人"})
    assert outside.status_code == 403
    recorded = post(client, grid, "/grid-services", {"unit_id": county.shangtang.pk,
                                                     "kind": "mediation", "served_on": today,
                                                     "description": "调解邻里宅基地纠纷"})
    assert recorded.json()["status"] == "pending"
    pk = recorded.json()["id"]
    assert post(client, elsewhere, f"/grid-services/{pk}/decide",
                {"approve": True}).status_code == 403
    assert post(client, grid, f"/grid-services/{pk}/decide",
                {"approve": True}).status_code == 403
    confirmed = post(client, township, f"/grid-services/{pk}/decide", {"approve": True})
    assert confirmed.json() == {"id": pk, "status": "confirmed", "points_paid": 5}
    again = post(client, township, f"/grid-services/{pk}/decide", {"approve": True})
    assert again.status_code == 409
    assert list(PointsEntry.objects.values_list("action", "amount")) == [("sanzhang_service", 5)]
    # 今日任务 now lists 三长服务 (an app pays it) with today's earnings
    from rongmei.points.selectors import today as today_tasks

    task = next(t for t in today_tasks(user=grid).tasks if t.action == "sanzhang_service")
    assert task.earned == 5


@pytest.mark.django_db
def test_showcase_posts_pass_the_word_gate_and_review(client, vx):
    from rongmei.volunteers.models import ShowcasePost
    from rongmei.wordgate.services import word_create

    from .conftest import new_activity

    activity = new_activity(vx.team)
    operator = make_user("operator")
    word_create(actor=operator, word="违禁词语", level="block", kind="sensitive")
    blocked = post(client, vx.leader, f"/activities/{activity.pk}/posts",
                   {"body": "今天大家干得很好，违禁词语"})
    assert blocked.status_code == 400
    assert blocked.json()["message"] == "活动风采含有不允许发布的内容，请修改"
    assert post(client, vx.other_leader, f"/activities/{activity.pk}/posts",
                {"body": "今天大家干得很好，辛苦了！"}).status_code == 403
    sent = post(client, vx.leader, f"/activities/{activity.pk}/posts",
                {"body": "今天大家干得很好，辛苦了！"})
    assert sent.json()["status"] == "pending"
    page = client.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert "辛苦了" not in page  # not public before review
    assert post(client, vx.leader, f"/posts/{sent.json()['id']}/review",
                {"approve": True}).status_code == 403
    client.force_login(operator)
    client.post("/admin/volunteers/showcase/", {"post": sent.json()["id"],
                                                "decision": "approve"})
    assert ShowcasePost.objects.get().status == "approved"
    assert "辛苦了" in client.get(f"/volunteers/activities/{activity.pk}/").content.decode()


@pytest.mark.django_db
@override_settings(RONGMEI_VOLUNTEER_CENTER="T-RMT")
def test_names_refuse_reversing_characters_and_grid_services_are_recent(client, county):
    from rongmei.volunteers.models import GridService, Volunteer

    resident = make_user()
    reversed_name = post(client, resident, "/me", {"real_name": "王\u202e小明"})
    assert reversed_name.status_code == 400
    assert reversed_name.json()["field"] == "real_name" and "控制字符" in reversed_name.json()[
        "message"]
    assert not Volunteer.objects.exists()
    order = post(client, resident, "/orders", {"area_id": county.shangtang.pk,
                                               "address": "上塘村\u20665组",
                                               "request": "需要帮忙打扫卫生"})
    assert order.status_code == 400 and order.json()["field"] == "address"
    grid = make_user("grid_leader", unit=county.shangtang)
    for served_on in ("1900-01-01", (timezone.localdate() - timedelta(days=91)).isoformat()):
        old = post(client, grid, "/grid-services", {"unit_id": county.shangtang.pk,
                                                    "kind": "visit", "served_on": served_on,
                                                    "description": "走访独居老人"})
        assert old.status_code == 400 and old.json()["field"] == "served_on", served_on
        assert "90天内" in old.json()["message"]
    assert not GridService.objects.exists()
