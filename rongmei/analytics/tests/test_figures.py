"""What the director reads, against hand-computed examples: retention cohorts, 渠道码
attribution, the county-app index; and the console's doors (roles, Excel export)."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from rongmei.analytics import index as county_index
from rongmei.analytics import selectors
from rongmei.analytics.models import ChannelCode

from .conftest import aggregate, days_ago, send

pytestmark = pytest.mark.django_db


def activity(client, clock, plan: dict[str, list[int]], code_of: dict | None = None):
    """``plan``: device → the days-ago it was active (the first is its first day)."""
    code_of = code_of or {}
    for device, days in plan.items():
        for n in days:
            clock.at(days_ago(n))
            event = {"name": "app_open"}
            if device in code_of:
                event["code"] = code_of[device]
            send(client, device, [event])
    aggregate()


def test_retention_cohorts_match_the_hand_computed_example(client, backend, clock):
    activity(client, clock, {
        "device-A": [10, 9, 3],  # day 1 and day 7 back
        "device-B": [10, 8],  # day 2 only: counts for neither
        "device-C": [10],
        "device-D": [9, 8, 2],  # day 1 and day 7 back
        "device-E": [3, 2],  # day 1 back; day 7 has not come yet
    })
    period = selectors.Period(days_ago(12), days_ago(0))
    cohorts = {c.day: c for c in selectors.retention_cohorts(period)}
    assert set(cohorts) == {days_ago(10), days_ago(9), days_ago(3)}
    ten = cohorts[days_ago(10)]
    assert ten.size == 3 and ten.retained == {1: 1, 7: 1, 30: None}
    assert ten.rate(1) == pytest.approx(1 / 3)
    assert cohorts[days_ago(9)].retained == {1: 1, 7: 1, 30: None}
    assert cohorts[days_ago(3)].retained == {1: 1, 7: None, 30: None}
    users = selectors.user_summary(period)
    assert users.dau == 0 and users.wau == 3 and users.mau == 5  # D, E, A in the last 7 days


def test_channel_code_attributes_new_users_installs_and_day7(client, backend, clock, make_user):
    operator = make_user("operator")
    client.force_login(operator)
    response = client.post("/admin/analytics_codes/", {"code": "JG-01", "name": "进机关·县委办",
                                                       "kind": "agencies"})
    assert response.status_code == 302
    client.logout()
    clock.at(days_ago(9))
    send(client, "device-A", [{"name": "app_open", "code": "JG-01"},
                              {"name": "install", "code": "JG-01"}])
    send(client, "device-B", [{"name": "app_open", "code": "JG-01"}])
    send(client, "device-C", [{"name": "app_open"}])  # arrived without a code
    clock.at(days_ago(2))
    send(client, "device-A", [{"name": "app_open", "code": "JG-01"}])  # its day 7
    send(client, "device-C", [{"name": "app_open", "code": "JG-01"}])  # a later code: not its
    aggregate()
    rows = selectors.channel_code_rows(selectors.Period(days_ago(10), days_ago(0)))
    (row,) = rows
    assert (row.new_devices, row.installs, row.day7_retained, row.day7_base) == (2, 1, 1, 2)
    assert row.active_devices == 2  # A and B; C's first code was none
    client.force_login(operator)
    page = client.get("/admin/analytics_codes/?start=" + days_ago(10).isoformat()).content.decode()
    assert "进机关·县委办" in page and "/analytics/c/JG-01" in page and "<svg" in page
    assert "50%（1/2）" in page


def test_director_cannot_make_codes_and_residents_see_nothing(client, make_user):
    director = make_user("director")
    client.force_login(director)
    assert client.get("/admin/analytics_dashboard/").status_code == 200
    response = client.post("/admin/analytics_codes/", {"code": "XX-1", "name": "x",
                                                       "kind": "other"})
    assert response.status_code in (302, 403) and not ChannelCode.objects.exists()
    editor = make_user("editor")
    client.force_login(editor)
    for path in ("/admin/analytics_dashboard/", "/admin/analytics_screen/?format=json",
                 "/admin/analytics_index/?download=report"):
        response = client.get(path)
        assert response.status_code in (302, 403), path


def test_dashboard_tables_and_excel_export(client, backend, clock, make_user):
    from wagtail.models import Page

    draft = Page.get_first_root_node().add_child(instance=Page(title="尚未发布的草稿标题",
                                                                slug="draft-x", live=False))
    clock.at(days_ago(1))
    send(client, "device-A", [{"name": "page_view", "channel": "yaowen", "page": 999999},
                              {"name": "read_time", "page": 999999, "value": 120},
                              {"name": "page_view", "page": draft.pk}])
    aggregate()
    client.force_login(make_user("director"))
    page = client.get("/admin/analytics_dashboard/").content.decode()
    for title in ("每日活跃、新增与安装", "留存（按首次使用日分组）", "渠道码推广效果", "各栏目浏览",
                  "热门稿件（前20）", "服务与治理指标"):
        assert title in page
    assert "vendor/echarts/echarts.min.js" in page and 'id="analytics-dashboard-data"' in page
    response = client.get("/admin/analytics_dashboard/?export=top_stories")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert ["页面 999999（未发布或已删除）", 1, 1, 2, 0] in [list(r[:5]) for r in values]
    # A draft's title never reaches the dashboard, its export or the wall display.
    assert "尚未发布的草稿标题" not in page and "尚未发布的草稿标题" not in str(values)
    assert "尚未发布的草稿标题" not in client.get(
        "/admin/analytics_screen/?format=json").content.decode()


def test_index_matches_the_hand_computed_example(client, backend, clock, make_user, settings):
    settings.ANALYTICS_INDEX = {
        "reach": {"weight": 3, "refs": {"page_views": 99}},
        "growth": {"weight": 1, "refs": {"new_users": 9, "installs": 9}},
    }
    today = timezone.localdate()
    clock.at(today, hour=0, minute=30)
    for i in range(20):  # 20 new devices, 200 page views: past both references
        send(client, f"device-{i:02d}", [{"name": "page_view"}] * 10)
    aggregate()
    client.force_login(make_user("director"))
    page = client.get("/admin/analytics_index/").content.decode()
    # reach = 100 (capped), growth = (100 + 0 installs) / 2 = 50; index = ¾·100 + ¼·50.
    assert "县融指数：87.5" in page
    assert "ln(1 + 数值)" in page and "页面浏览量" in page and "新增用户" in page


def test_index_formula_on_the_log_scale():
    config = {"reach": {"weight": 0.6, "refs": {"page_views": 99, "shares": 999}},
              "growth": {"weight": 0.4, "refs": {"mau_per_mille": 99}}}
    result = county_index.compute({"page_views": 9, "shares": 0, "mau_per_mille": 9},
                                  days=30, config=config)
    reach, growth = result.blocks
    # ln(1+9)/ln(1+99) = ½ → 50; shares 0 → 0; reach = 25. mau: 50. 0.6·25 + 0.4·50 = 35.
    assert [i.score for i in reach.inputs] == [pytest.approx(50), 0]
    assert reach.score == pytest.approx(25) and growth.score == pytest.approx(50)
    assert result.total == pytest.approx(35)
    # One day: counts' references shrink to a thirtieth, a share's does not.
    daily = county_index.compute({"page_views": 9, "mau_per_mille": 9}, days=1, config=config)
    assert daily.blocks[0].inputs[0].ref == pytest.approx(3.3)
    assert daily.blocks[1].inputs[0].ref == 99


def test_other_modules_contribute_measures_and_a_failing_one_is_skipped(client, make_user):
    from wagtail import hooks

    def broken(start, end):
        raise RuntimeError("a module's bug")

    client.force_login(make_user("director"))
    with hooks.register_temporarily("rongmei_analytics_measures", broken):
        page = client.get("/admin/analytics_dashboard/").content.decode()
    for contributed in ("各栏目发稿量", "记者发稿量（前30）", "问政办理（按类别）", "发放积分",
                        "核销", "下单", "最高同时在线", "评论"):
        assert contributed in page, contributed
