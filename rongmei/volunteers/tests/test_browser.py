"""In a real browser: a volunteer signs up, checks in by the leader's QR, checks out, the
leader confirms, points arrive, and the certificate PDF lists the hours."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from rongmei.browser_testing import login_by_sms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_volunteer_signs_up_checks_in_and_out_and_is_paid(live_site, browser, browser_page):
    import time_machine
    from django.utils import timezone
    from pypdf import PdfReader

    from rongmei.accounts.models import User
    from rongmei.tests_support import make_user
    from rongmei.units.models import Unit
    from rongmei.volunteers.models import Team, TeamMember
    from rongmei.volunteers.services import volunteer_register

    team = Team.objects.create(name="浏览器测试志愿队", unit=Unit.objects.get(code="LX-T02"))
    leader = make_user("volunteer_leader", unit=team.unit)
    TeamMember.objects.create(team=team, volunteer=volunteer_register(user=leader,
                                                                      real_name="王队长"),
                              status="active", is_leader=True)
    from rongmei.volunteers.services import activity_create

    start = (timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    activity = activity_create(actor=leader, team_id=team.pk, title="荷塘社区助老服务",
                               place="荷塘社区服务中心", starts_at=start,
                               ends_at=start + timedelta(hours=2), capacity=5)
    resident = User.objects.create_user("15299990001")

    page = browser_page
    login_by_sms(page, live_site, resident.phone)
    page.goto(live_site.url("/volunteers/register/"))
    page.get_by_label("真实姓名").fill("陈晓")
    page.get_by_test_id("vx-register-submit").click()
    page.wait_for_url("**/volunteers/card/")
    page.goto(live_site.url(f"/volunteers/activities/{activity.pk}/"))
    page.get_by_test_id("vx-signup").click()
    page.wait_for_selector("[data-testid=vx-signup-status]")
    assert "已报名" in page.inner_text("[data-testid=vx-signup-status]")

    leader_context = browser.new_context(locale="zh-CN")
    leader_page = leader_context.new_page()
    login_by_sms(leader_page, live_site, leader.phone)

    def scan(mode: str, expected: str):
        leader_page.goto(live_site.url(f"/volunteers/lead/activities/{activity.pk}/code/"
                                       f"?mode={mode}"))
        url = leader_page.get_by_test_id("vx-code").get_attribute("data-url")
        page.goto(url)  # what scanning the code opens on the volunteer's phone
        page.get_by_test_id("vx-scan-submit").click()
        page.wait_for_selector("[data-testid=vx-signup-status]")
        assert expected in page.inner_text(".rm-messages")

    # Clocks stopped (tick=False): on a loaded machine a ticking clock let the check-in land
    # seconds later than the check-out's offset, and 60 minutes read as 59.
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        scan("in", "签到成功")
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        scan("out", "签退成功")
        assert "时长 60 分钟，待队长确认" in page.inner_text("[data-testid=vx-signup-status]")
        leader_page.goto(live_site.url(f"/volunteers/lead/activities/{activity.pk}/"))
        leader_page.get_by_test_id(f"vx-confirm-{resident.pk}").click()
        leader_page.wait_for_selector(".rm-messages")
        assert "时长已确认，积分已发放" in leader_page.inner_text(".rm-messages")

    page.goto(live_site.url("/points/"))
    assert page.inner_text("[data-testid=points-balance]").strip().startswith("10")
    response = page.request.get(live_site.url("/volunteers/card/certificate.pdf"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert "陈晓" in text and "服务时长共计 1.0 小时" in text and "荷塘社区助老服务" in text
    leader_context.close()
