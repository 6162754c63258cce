"""/api/v1/points: balance, today's tasks, history, check-in; errors as {code, message, field}."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.accounts.services import api_token_issue
from rongmei.points import selectors, services
from rongmei.points.models import PointsLot


@pytest.fixture
def resident(make_user):
    return make_user()


@pytest.fixture
def auth(resident):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=resident, label='测试机')}"}


@pytest.mark.django_db
def test_overview_has_balance_expiring_tasks_and_check_in(client, rules, resident, auth):
    services.points_earn(user=resident, action="read_article", source="article:1")
    quiz = services.points_earn(user=resident, action="quiz", source="quiz:1")
    soon = timezone.now() + timedelta(days=3)
    PointsLot.objects.filter(entry=quiz).update(expires_at=soon)
    data = client.get("/api/v1/points", **auth).json()
    assert data["balance"] == 6
    assert [e["points"] for e in data["expiring"]] == [5]
    tasks = {t["action"]: t for t in data["tasks"]}
    assert tasks["read_article"] == {"action": "read_article", "label": "阅读文章", "points": 1,
                                     "daily_cap": 10, "earned": 1, "done": False}
    assert tasks["checkin"]["daily_cap"] == 0
    assert "quiz" in tasks  # 活动's prize quizzes pay the 答题 rule (issue 19)
    payable = selectors.payable_actions()
    assert list(tasks) == [r.action for r in rules.values() if r.action in payable]
    assert data["checkin"] == {"checked_in": False, "streak": 0, "open": True}


@pytest.mark.django_db
def test_a_task_at_its_cap_is_done(client, rules, resident, auth):
    for n in range(5):
        services.points_earn(user=resident, action="share", source=f"article:{n}")
    tasks = {t["action"]: t for t in client.get("/api/v1/points", **auth).json()["tasks"]}
    assert tasks["share"]["earned"] == 5 and tasks["share"]["done"] is True


@pytest.mark.django_db
def test_check_in_then_again_is_a_conflict_with_a_chinese_message(client, rules, auth):
    first = client.post("/api/v1/points/checkin", **auth)
    assert first.status_code == 200
    assert first.json() == {"points": 1, "balance": 1, "streak": 1}
    again = client.post("/api/v1/points/checkin", **auth)
    assert again.status_code == 409
    assert again.json() == {"code": "already_checked_in", "message": "今天已经签到过了，明天再来",
                            "field": None}
    assert client.get("/api/v1/points", **auth).json()["checkin"] == {
        "checked_in": True, "streak": 1, "open": True}


@pytest.mark.django_db
def test_check_in_when_the_rule_is_off(client, rules, auth):
    rules["checkin"].is_active = False
    rules["checkin"].save()
    response = client.post("/api/v1/points/checkin", **auth)
    assert response.status_code == 400 and response.json()["code"] == "checkin_closed"
    assert client.get("/api/v1/points", **auth).json()["checkin"]["open"] is False


@pytest.mark.django_db
def test_history_pages_by_limit_and_offset(client, rules, resident, auth):
    base = timezone.now() - timedelta(days=10)
    for day in range(5):
        services.points_earn(user=resident, action="quiz", source=f"quiz:{day}",
                             now=base + timedelta(days=day))
    page = client.get("/api/v1/points/history?limit=2&offset=1", **auth).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    item = page["items"][0]
    assert item["kind"] == "earn" and item["kind_label"] == "获得" and item["amount"] == 5
    assert item["balance_after"] == 20 and item["reason"] == "答题"
    everything = client.get("/api/v1/points/history", **auth).json()["items"]
    assert [e["balance_after"] for e in everything] == [25, 20, 15, 10, 5]


@pytest.mark.django_db
@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"),
                                          ("offset=-1", "offset"), ("limit=abc", "limit")])
def test_history_rejects_bad_paging(client, rules, auth, query, field):
    response = client.get(f"/api/v1/points/history?{query}", **auth)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["field"] == field
    assert body["message"].startswith(f"{field}：")


@pytest.mark.django_db
@pytest.mark.parametrize("method, url", [("get", "/api/v1/points"),
                                         ("get", "/api/v1/points/history"),
                                         ("post", "/api/v1/points/checkin")])
def test_points_api_needs_sign_in(client, rules, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录", "field": None}
    bad = getattr(client, method)(url, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert bad.status_code == 401


@pytest.mark.django_db
def test_h5_session_works_for_reads(client, rules, resident):
    client.force_login(resident)
    assert client.get("/api/v1/points").json()["balance"] == 0
