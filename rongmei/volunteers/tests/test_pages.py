"""The resident and leader pages end to end with the Django client: register, sign up,
scan the leader's code in and out, the leader confirms, points arrive, the certificate PDF
lists the hours; 我的 shows the cells."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rongmei.points.models import PointsAccount
from rongmei.tests_support import make_user
from rongmei.volunteers.models import Signup

from .conftest import new_activity


def scan_url(client, leader, activity, mode):
    client.force_login(leader)
    response = client.get(f"/volunteers/lead/activities/{activity.pk}/code/?mode={mode}")
    assert response.status_code == 200
    return response.context["url"]


@pytest.mark.django_db
def test_volunteer_day_through_the_pages(client, vx):
    resident = make_user()
    client.force_login(resident)
    assert client.get("/volunteers/").status_code == 200
    bad = client.post("/volunteers/register/", {"real_name": "李"})
    assert bad.status_code == 400 and "请填写2至20个字的真实姓名" in bad.content.decode()
    assert client.post("/volunteers/register/", {"real_name": "李小龙", "skills": "维修"}
                       ).status_code == 302
    activity = new_activity(vx.team, starts_in=timedelta(minutes=20), hours=2)
    page = client.get(f"/volunteers/activities/{activity.pk}/")
    assert "我要报名" in page.content.decode()
    client.post(f"/volunteers/activities/{activity.pk}/signup/")
    assert Signup.objects.get(volunteer__user=resident).status == "confirmed"

    with time_machine.travel(activity.starts_at, tick=False):
        url = scan_url(client, vx.leader, activity, "in")
        client.force_login(resident)
        path = url.split("testserver", 1)[1]
        assert client.get(path).status_code == 200  # the confirm page; nothing changes yet
        assert Signup.objects.get(volunteer__user=resident).checked_in_at is None
        done = client.post("/volunteers/scan/", {"t": path.split("t=", 1)[1]}, follow=True)
        assert "签到成功" in done.content.decode()
        again = client.post("/volunteers/scan/", {"t": path.split("t=", 1)[1]})
        assert again.status_code == 409 and "无需重复签到" in again.content.decode()
    with time_machine.travel(activity.starts_at + timedelta(minutes=90), tick=False):
        url = scan_url(client, vx.leader, activity, "out")
        client.force_login(resident)
        token = url.split("t=", 1)[1]
        assert "签退成功" in client.post("/volunteers/scan/", {"t": token},
                                       follow=True).content.decode()
        signup = Signup.objects.get(volunteer__user=resident)
        assert signup.minutes == 90
        # the other team's leader cannot open the roster or confirm
        client.force_login(vx.other_leader)
        refused = client.post(f"/volunteers/lead/signups/{signup.pk}/confirm/", follow=True)
        assert "您无权管理“荷塘镇”" in refused.content.decode()
        client.force_login(vx.leader)
        roster = client.get(f"/volunteers/lead/activities/{activity.pk}/")
        assert "李小龙" in roster.content.decode() and "确认时长" in roster.content.decode()
        confirmed = client.post(f"/volunteers/lead/signups/{signup.pk}/confirm/", follow=True)
        assert "时长已确认，积分已发放" in confirmed.content.decode()
    assert PointsAccount.objects.get(user=resident).balance == 15

    client.force_login(resident)
    card = client.get("/volunteers/card/").content.decode()
    assert "1.5" in card and "<svg" in card
    pdf = client.get("/volunteers/card/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "private, no-store"  # never kept by nginx or a CDN
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "李小龙" in text and "服务时长共计 1.5 小时" in text
    assert "社区助老" in text and "荷塘镇志愿服务队" in text
    me = client.get("/me/").content.decode()
    assert "志愿者之家" in me and "1.5小时" in me
    client.force_login(vx.leader)
    assert "队长工作台" in client.get("/me/").content.decode()


@pytest.mark.django_db
def test_leader_publishes_and_approves_through_the_pages(client, vx):
    resident = make_user()
    client.force_login(resident)
    client.post("/volunteers/register/", {"real_name": "周志愿"})
    client.post(f"/volunteers/teams/{vx.team.pk}/join/")
    client.force_login(vx.leader)
    lead = client.get("/volunteers/lead/").content.decode()
    assert "周志愿 申请加入 荷塘镇志愿服务队" in lead
    member = resident.volunteer.memberships.get()
    client.post(f"/volunteers/lead/members/{member.pk}/", {"decision": "approve"})
    member.refresh_from_db()
    assert member.status == "active"
    start = timezone.localtime() + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M"
    bad = client.post(f"/volunteers/lead/teams/{vx.team.pk}/activities/", {
        "title": "义诊", "place": "荷塘卫生院", "starts_at": start.strftime(fmt),
        "ends_at": (start - timedelta(hours=1)).strftime(fmt), "capacity": "5"}, follow=True)
    assert "结束时间须晚于开始时间" in bad.content.decode()
    ok = client.post(f"/volunteers/lead/teams/{vx.team.pk}/activities/", {
        "title": "义诊", "place": "荷塘卫生院", "starts_at": start.strftime(fmt),
        "ends_at": (start + timedelta(hours=2)).strftime(fmt), "capacity": "5",
        "latitude": "27.1", "longitude": "114.9", "radius_m": "300"}, follow=True)
    assert "活动已发布" in ok.content.decode()
    assert vx.team.activities.get().radius_m == 300


@pytest.mark.django_db
def test_the_leader_still_sees_an_ended_activity_to_confirm_its_hours(client, vx):
    activity = new_activity(vx.team, starts_in=timedelta(hours=1), hours=2)
    with time_machine.travel(activity.ends_at + timedelta(days=1), tick=False):
        client.force_login(vx.leader)
        page = client.get("/volunteers/lead/").content.decode()
    assert f"vx-lead-activity-{activity.pk}" in page
    client.force_login(vx.other_leader)
    assert f"vx-lead-activity-{activity.pk}" not in client.get("/volunteers/lead/").content.decode()


@pytest.mark.django_db
def test_leaving_the_app_removes_the_volunteers_name_but_keeps_the_hours(client, vx):
    """注销: the organiser's record of service stays (民政部 rules), under no name."""
    from rongmei.volunteers.models import Volunteer

    person = vx.people[0]
    Volunteer.objects.filter(user=person).update(total_minutes=90, skills="理发")
    client.force_login(person)
    assert client.delete("/api/v1/me").status_code == 200
    left = Volunteer.objects.get(user=person)
    assert (left.real_name, left.skills, left.total_minutes) == ("已注销", "", 90)
