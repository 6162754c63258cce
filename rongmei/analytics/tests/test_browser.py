"""In a real browser: a resident scans a 渠道码 and the first-party beacon reports the visit;
after the timer runs, the director's dashboard and the 大屏 show it with charts and their
table equivalents, axe-clean; the 大屏 refreshes itself."""

import io
import re

import pytest
from django.core.management import call_command

from rongmei.analytics.models import ChannelCode, DailyCount, Device
from rongmei.browser_testing import (
    assert_accessible,
    assert_no_page_problems,
    ensure_resident_site,
    login_console,
    open_page,
)
from rongmei.tests_support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai", "service_workers": "block"}


def test_beacon_to_dashboard_and_big_screen(live_server, browser, browser_context_args,
                                            settings, tmp_path):
    settings.ANALYTICS_BUFFER_DIR = str(tmp_path / "buffer")
    ensure_resident_site(seed=False)
    ChannelCode.objects.create(code="NC-01", name="进农村·荷塘镇赶集日", kind="villages")

    # A resident's phone scans the code: the landing link, then the home page's beacon.
    phone = open_page(browser, browser_context_args)
    with phone.expect_request(lambda r: r.url.endswith("/analytics/collect")
                              and r.method == "POST") as sent:
        phone.goto(f"{live_server.url}/analytics/c/NC-01")
    assert phone.url.endswith("/?ch=NC-01")
    body = sent.value.post_data_json
    assert {e["name"] for e in body["events"]} == {"app_open", "page_view"}
    assert all(e["code"] == "NC-01" for e in body["events"])
    assert sent.value.response().status == 204
    assert_no_page_problems(phone)
    phone.context.close()

    call_command("analytics_aggregate", "--all", stdout=io.StringIO())
    assert Device.objects.get().code == "NC-01"
    assert DailyCount.objects.filter(name="page_view").get().events == 1

    director = make_user("director")
    page = open_page(browser, DESKTOP)
    login_console(page, live_server.url, director)
    page.goto(f"{live_server.url}/admin/analytics_dashboard/")
    page.wait_for_selector("#chart-users canvas")
    page.wait_for_selector("#chart-codes canvas")
    codes = page.locator("section[aria-labelledby=t-channel_codes] table")
    assert "进农村·荷塘镇赶集日" in codes.inner_text()
    assert page.get_by_role("link", name=re.compile("导出Excel.*渠道码推广效果")).count() == 1
    assert_accessible(page, "数据看板")
    assert_no_page_problems(page)

    page.clock.install()
    page.goto(f"{live_server.url}/admin/analytics_screen/")
    page.wait_for_selector("#screen-chart-dau canvas")
    page.wait_for_selector("#screen-chart-index canvas")
    kpis = page.locator("#screen-kpis").inner_text()
    assert "今日活跃" in kpis and "本月县融指数" in kpis
    assert "进农村·荷塘镇赶集日" in page.locator("#screen-table-codes").inner_text()
    assert_accessible(page, "大屏")
    # A minute later it fetches fresh figures by itself, without reloading the page.
    with page.expect_request(lambda r: "format=json" in r.url) as refreshed:
        page.clock.run_for(61_000)
    assert refreshed.value.response().status == 200
    assert page.locator("#screen-chart-dau canvas").count() == 1
    assert_no_page_problems(page)
    page.screenshot(path=str(tmp_path / "screen.png"))
    page.context.close()
