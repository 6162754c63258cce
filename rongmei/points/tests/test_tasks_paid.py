"""今日任务 shows only tasks something in the app actually pays for: a rule no installed app
pays (有效阅读时长) is not offered to residents; 志愿服务 and 三长服务 are paid by 志愿者之家
since it landed, 答题 by 活动 (its prize quizzes) since it landed."""

import pytest
from django.apps import apps

from rongmei.accounts.services import api_token_issue

UNPAID = ("有效阅读时长",)
PAID = ("阅读文章", "观看视频", "分享", "发表评论", "每日签到", "问政答复获好评",
        "志愿服务（每小时）", "三长服务", "答题", "爆料采用")


@pytest.mark.django_db
def test_the_resident_sees_only_tasks_that_pay(client, make_user):
    resident = make_user()
    client.force_login(resident)
    page = client.get("/points/").content.decode()
    tasks = page.split("今日任务", 1)[1]
    for label in PAID:
        assert f">{label}<" in tasks, label
    for label in UNPAID:
        assert f">{label}<" not in tasks, label
    data = client.get("/api/v1/points",
                      HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=resident)}").json()
    labels = {task["label"] for task in data["tasks"]}
    assert labels == set(PAID)


@pytest.mark.django_db
def test_an_app_that_starts_paying_for_a_rule_makes_it_a_task(client, make_user, monkeypatch):
    """The extension point: an app declares ``points_pays`` on its AppConfig."""
    monkeypatch.setattr(apps.get_app_config("vouchers"), "points_pays", ("reading_time",),
                        raising=False)
    client.force_login(make_user())
    assert ">有效阅读时长<" in client.get("/points/").content.decode().split("今日任务", 1)[1]


@pytest.mark.django_db
def test_operators_see_which_rules_no_module_pays_for(client, make_user):
    client.force_login(make_user("operator"))
    listing = client.get("/admin/points_rules/").content.decode()
    assert "尚无功能模块发放此项积分" in listing and "是（今日任务）" in listing
