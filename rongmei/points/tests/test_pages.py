"""The resident's 积分 pages: balance, 今日任务, 签到, 即将过期, 明细, and 我的."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.points import services
from rongmei.points.models import PointsLot


@pytest.fixture
def resident(make_user, client):
    user = make_user()
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_points_page_shows_balance_and_todays_tasks_with_progress(client, rules, resident):
    for article in range(3):
        services.points_earn(user=resident, action="read_article", source=f"article:{article}")
    page = client.get("/points/")
    body = page.content.decode()
    assert page.status_code == 200
    assert '<strong>3</strong> 分' in body and "今日任务" in body
    # Progress is a labelled <progress>, readable without CSS or JavaScript.
    assert ('<progress class="rm-points-bar" max="10" value="3" '
            'aria-labelledby="task-read_article"') in body
    assert 'id="task-read_article"' in body and "3/10分" in body
    assert "今日已得0分（不限）" in body  # volunteer hours have no cap
    assert "<script" not in body.split('<main', 1)[1]  # no inline JS in the page body


@pytest.mark.django_db
def test_a_rule_switched_off_is_not_a_task(client, rules, resident):
    rules["quiz"].is_active = False
    rules["quiz"].save()
    body = client.get("/points/").content.decode()
    assert "答题" not in body and "阅读文章" in body


@pytest.mark.django_db
def test_check_in_once_a_day_then_a_chinese_error(client, rules, resident):
    page = client.get("/points/").content.decode()
    assert 'action="/points/checkin/"' in page and 'method="post"' in page
    first = client.post("/points/checkin/", follow=True)
    body = first.content.decode()
    assert "签到成功，积分+1" in body and "今日已签到" in body
    assert "已连续签到 <strong>1</strong> 天" in body
    again = client.post("/points/checkin/", follow=True).content.decode()
    assert "今天已经签到过了，明天再来" in again
    assert resident.points_account.entries.count() == 1


@pytest.mark.django_db
def test_streak_shows_yesterdays_run_before_todays_check_in(client, rules, resident):
    yesterday = timezone.now() - timedelta(days=1)
    services.checkin(user=resident, now=yesterday - timedelta(days=1))
    services.checkin(user=resident, now=yesterday)
    body = client.get("/points/").content.decode()
    assert "已连续签到 <strong>2</strong> 天，今天签到可继续累计" in body
    client.post("/points/checkin/")
    entry = resident.points_account.entries.first()
    assert entry.amount == 1 + 2 and "连续3天" in entry.reason


@pytest.mark.django_db
def test_check_in_is_post_only(client, rules, resident):
    assert client.get("/points/checkin/").status_code == 405


@pytest.mark.django_db
def test_points_expiring_soon_are_announced(client, rules, resident):
    entry = services.points_earn(user=resident, action="quiz", source="quiz:1")
    soon = timezone.now() + timedelta(days=10)
    PointsLot.objects.filter(entry=entry).update(expires_at=soon)
    services.points_earn(user=resident, action="share", source="article:1")  # expires next year
    body = client.get("/points/").content.decode()
    assert "即将过期" in body
    assert f"<strong>5</strong> 分将于 {timezone.localtime(soon):%Y年%-m月%-d日} 过期" in body


@pytest.mark.django_db
def test_no_expiry_notice_when_nothing_expires_soon(client, rules, resident):
    services.points_earn(user=resident, action="quiz", source="quiz:1")
    assert "即将过期" not in client.get("/points/").content.decode()


@pytest.mark.django_db
def test_history_lists_entries_with_reason_sign_and_time_paginated(client, rules, resident,
                                                                   make_user):
    base = timezone.now() - timedelta(days=30)
    for day in range(25):
        services.points_earn(user=resident, action="quiz", source=f"quiz:{day}",
                             now=base + timedelta(days=day))
    services.points_spend(user=resident, amount=7, action="mall_order", reason="兑换：保温杯",
                          source="order:1", key="order:1")
    first = client.get("/points/history/").content.decode()
    assert "兑换：保温杯" in first and "-7" in first and "答题" in first and "+5" in first
    assert "第1/2页" in first and 'href="?page=2"' in first
    assert first.count('class="rm-points-entry"') == 20
    second = client.get("/points/history/?page=2").content.decode()
    assert second.count('class="rm-points-entry"') == 6 and "上一页" in second
    # Only my own entries.
    client.force_login(make_user())
    assert "还没有积分记录" in client.get("/points/history/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/points/", "/points/history/"])
def test_points_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_anonymous_check_in_goes_to_login(client, rules):
    response = client.post("/points/checkin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_me_page_shows_my_points(client, rules, resident):
    body = client.get("/me/").content.decode()
    assert "我的积分" in body and 'href="/points/"' in body
    assert '<span class="rm-cell__value" data-testid="me-points">0分</span>' in body
    services.points_earn(user=resident, action="quiz", source="quiz:1")
    assert 'data-testid="me-points">5分</span>' in client.get("/me/").content.decode()
