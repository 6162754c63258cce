"""渠道数据: the morning timer fetches each outlet's followers and reads from the platforms'
statistics APIs (local stand-ins speaking the documented requests and answers), keeps one
row per outlet and day, survives one platform failing, and feeds 数据's dashboard."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from rongmei.outlets.models import OutletFigure

from .conftest import make_outlet

DAY = date(2026, 12, 1)


def wechat_route(r):
    if r.path == "/cgi-bin/stable_token":
        assert r.json()["appid"] == "wx0123" and r.json()["secret"] == "s3cret-value"
        return 200, {"access_token": "TOKEN-1", "expires_in": 7200}
    assert r.query["access_token"] == "TOKEN-1"
    span = r.json()
    assert span == {"begin_date": "2026-12-01", "end_date": "2026-12-01"}
    if r.path == "/datacube/getusercumulate":
        return 200, {"list": [{"ref_date": "2026-12-01", "user_source": 0,
                               "cumulate_user": 151234}]}
    if r.path == "/datacube/getuserread":
        return 200, {"list": [
            {"ref_date": "2026-12-01", "user_source": 0, "int_page_read_user": 900,
             "int_page_read_count": 1200},
            {"ref_date": "2026-12-01", "user_source": 2, "int_page_read_user": 300,
             "int_page_read_count": 400},
            {"ref_date": "2026-12-01", "user_source": 99999999, "int_page_read_user": 1200,
             "int_page_read_count": 1600}]}
    return 404, {"errcode": 40066, "errmsg": "invalid url"}


def weibo_route(r):
    assert r.method == "GET" and r.path == "/2/users/show.json"
    if r.query.get("access_token") != "weibo-token":
        return 400, {"error": "expired_token", "error_code": 21327}
    assert r.query["uid"] == "1234567890"
    return 200, {"id": 1234567890, "screen_name": "莲乡融媒", "followers_count": 88123}


def douyin_route(r):
    assert r.method == "GET" and r.query["open_id"] == "open-1" and r.query["date_type"] == "7"
    assert r.headers["access-token"] == "douyin-token"
    if r.path == "/data/external/user/fans/":
        return 200, {"data": {"error_code": 0, "result_list": [
            {"date": "2026-11-30", "new_fans": 10, "total_fans": 1019990},
            {"date": "2026-12-01", "new_fans": 10, "total_fans": 1020000}]}}
    if r.path == "/data/external/user/item/":
        return 200, {"data": {"error_code": 0, "result_list": [
            {"date": "2026-12-01", "new_issue": 2, "new_play": 53000, "total_issue": 800}]}}
    return 404, {"data": {"error_code": 2100005, "description": "无此接口"}}


@pytest.mark.django_db
def test_the_timer_fetches_each_platforms_figures_once_per_day(standin, client, make_user):
    wechat = make_outlet("wechat_mp", api_base=standin(wechat_route).url, app_id="wx0123",
                         name="莲乡发布")
    weibo = make_outlet("weibo", api_base=standin(weibo_route).url, secret="weibo-token",
                        uid="1234567890", name="莲乡微博")
    douyin = make_outlet("douyin", api_base=standin(douyin_route).url,
                         secret="douyin-token", open_id="open-1", name="莲乡抖音")
    make_outlet("webhook", name="市级平台")  # no statistics API: skipped

    call_command("outlets_figures", "--day", "2026-12-01")
    call_command("outlets_figures", "--day", "2026-12-01")  # a second run rewrites the day

    figures = {f.outlet_id: f for f in OutletFigure.objects.filter(day=DAY)}
    assert len(figures) == 3
    assert (figures[wechat.pk].followers, figures[wechat.pk].reads) == (151234, 1600)
    assert (figures[weibo.pk].followers, figures[weibo.pk].reads) == (88123, None)
    assert (figures[douyin.pk].followers, figures[douyin.pk].reads) == (1020000, 53000)

    client.force_login(make_user("operator"))
    page = client.get("/admin/analytics_dashboard/?start=2026-12-01&end=2026-12-01").content.decode()
    assert "多端渠道数据" in page and "151234" in page and "1020000" in page


@pytest.mark.django_db
def test_one_platform_failing_keeps_its_reason_and_the_others_still_go(standin):
    weibo = make_outlet("weibo", api_base=standin(weibo_route).url, secret="old-token",
                        uid="1234567890")
    douyin = make_outlet("douyin", api_base=standin(douyin_route).url,
                         secret="douyin-token", open_id="open-1")
    broken = make_outlet("weibo", api_base=standin(weibo_route).url, secret="weibo-token")

    call_command("outlets_figures", "--day", "2026-12-01")

    expired = OutletFigure.objects.get(outlet=weibo)
    assert expired.followers is None and "微博授权已过期或无效" in expired.note
    assert "缺少账号 uid" in OutletFigure.objects.get(outlet=broken).note
    assert OutletFigure.objects.get(outlet=douyin).followers == 1020000


@pytest.mark.django_db
def test_figures_that_are_not_plain_counts_are_not_stored(standin):
    def lying(r):
        if r.path == "/cgi-bin/stable_token":
            return 200, {"access_token": "T", "expires_in": 7200}
        if r.path == "/datacube/getusercumulate":
            return 200, {"list": [{"ref_date": "2026-12-01", "cumulate_user": -5}]}
        return 200, {"list": [{"ref_date": "2026-12-01", "user_source": 99999999,
                               "int_page_read_count": "1600"}]}

    outlet = make_outlet("wechat_mp", api_base=standin(lying).url, app_id="wx1")
    call_command("outlets_figures", "--day", "2026-12-01")
    figure = OutletFigure.objects.get(outlet=outlet)
    assert (figure.followers, figure.reads, figure.note) == (None, None, "")
