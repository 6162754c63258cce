"""Issue 20's adversarial review, through the doors the reviewer used: overlapping
activities counted one person's time several times; naive times gave 500s; a bad date in
the certificate's period gave a 500; a volunteer renamed their record after hours were
recorded; the roster import skipped length limits; the honour board showed full names;
invisible-only names and an ungated order request; certificate rows not adding up."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from rongmei.tests_support import give_realname, make_user
from rongmei.volunteers.models import (
    Activity,
    HoursStatus,
    ServiceOrder,
    Signup,
    Team,
    Volunteer,
)

from .conftest import new_activity
from .test_import import workbook

API = "/api/v1/volunteers"


def post(client, user, path, body=None):
    client.force_login(user)
    return client.post(API + path, body or {}, content_type="application/json")


def code(client, leader, activity, mode="in"):
    client.force_login(leader)
    return client.get(f"{API}/activities/{activity.pk}/code?mode={mode}").json()["token"]


def confirmed(volunteer, activity, minutes):
    Volunteer.objects.filter(pk=volunteer.pk).update(
        total_minutes=volunteer.total_minutes + minutes)
    volunteer.refresh_from_db()
    return Signup.objects.create(activity=activity, volunteer=volunteer, status="confirmed",
                                 minutes=minutes, hours_status=HoursStatus.CONFIRMED)


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf", response.content[:200]
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


# --- 1. one person's time counts once ---------------------------------------------------------

@pytest.mark.django_db
def test_signing_up_for_an_overlapping_activity_is_refused(client, vx):
    a = vx.people[0]
    first = new_activity(vx.team)
    same = new_activity(vx.team)  # identical times
    half = new_activity(vx.other, starts_in=timedelta(days=1, hours=2))  # overlaps the end
    after = new_activity(vx.team, starts_in=timedelta(days=1, hours=3))  # starts as it ends
    assert post(client, a, f"/activities/{first.pk}/signup").json()["status"] == "confirmed"
    for clash in (same, half):
        refused = post(client, a, f"/activities/{clash.pk}/signup")
        assert refused.status_code == 409, refused.content
        body = refused.json()
        assert body["code"] == "time_conflict"
        assert body["message"].startswith("您已报名同一时段的活动“社区助老”")
        assert body["message"].endswith("同一时间只能参加一项活动")
        assert not Signup.objects.filter(activity=clash).exists()
        clash.refresh_from_db()
        assert clash.taken == 0
    assert post(client, a, f"/activities/{after.pk}/signup").json()["status"] == "confirmed"
    # a waiting-list place holds the time too; cancelling frees it
    full = new_activity(vx.team, capacity=1, starts_in=timedelta(days=3))
    post(client, vx.people[1], f"/activities/{full.pk}/signup")
    assert post(client, a, f"/activities/{full.pk}/signup").json()["status"] == "waiting"
    overlapping = new_activity(vx.team, starts_in=timedelta(days=3, hours=1))
    assert post(client, a, f"/activities/{overlapping.pk}/signup").status_code == 409
    post(client, a, f"/activities/{full.pk}/cancel")
    assert post(client, a, f"/activities/{overlapping.pk}/signup").status_code == 200
    # others are not affected
    assert post(client, vx.people[2], f"/activities/{same.pk}/signup").status_code == 200


@pytest.mark.django_db
def test_checking_in_at_two_overlapping_activities_is_refused(client, vx):
    """Sign-ups made before the refusal may overlap: the second check-in is refused, and
    3 minutes of real time are credited once, not three times."""
    a = vx.people[0]
    volunteer = Volunteer.objects.get(user=a)
    activities = [new_activity(vx.team, starts_in=timedelta(minutes=10)) for _ in range(3)]
    for activity in activities:
        Signup.objects.create(activity=activity, volunteer=volunteer, status="confirmed")
    start = activities[0].starts_at
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        ok = post(client, a, "/checkin", {"token": code(client, vx.leader, activities[0])})
        assert ok.status_code == 200, ok.content
        for activity in activities[1:]:
            refused = post(client, a, "/checkin", {"token": code(client, vx.leader, activity)})
            assert refused.status_code == 409
            assert refused.json()["code"] == "time_conflict"
            assert "已在同一时段的活动“社区助老”" in refused.json()["message"]
        # the leader's manual check-in is refused the same way
        other = Signup.objects.get(activity=activities[1], volunteer=volunteer)
        manual = post(client, vx.leader, f"/signups/{other.pk}/manual",
                      {"mode": "in", "reason": "手机没电"})
        assert manual.status_code == 409 and manual.json()["code"] == "time_conflict"
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert post(client, a, "/checkin", {
            "token": code(client, vx.leader, activities[0], "out")}).status_code == 200
    assert list(Signup.objects.filter(volunteer=volunteer).order_by("activity_id")
                .values_list("minutes", flat=True)) == [3, 0, 0]
    assert Signup.objects.filter(volunteer=volunteer, checked_in_at__isnull=False).count() == 1


# --- 2. a time without a zone is county time -------------------------------------------------

SHANGHAI_NOW = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 10:30 in the county


@pytest.mark.django_db
def test_naive_times_mean_county_time_not_a_server_error(client, vx, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    with time_machine.travel(SHANGHAI_NOW, tick=False):
        created = post(client, vx.leader, f"/teams/{vx.team.pk}/activities", {
            "title": "冬季义诊", "place": "荷塘社区", "starts_at": "2026-12-20T09:00:00",
            "ends_at": "2026-12-20T11:00:00", "capacity": 5})
        assert created.status_code == 200, created.content
        activity = Activity.objects.get(pk=created.json()["id"])
        assert activity.starts_at == datetime(2026, 12, 20, 1, 0, tzinfo=UTC)
        assert activity.cancel_cutoff == datetime(2026, 12, 19, 23, 0, tzinfo=UTC)

        # the leader checks someone in by hand at 10:05 county time
        running = Activity.objects.create(
            team=vx.team, title="社区助老", place="荷塘社区", capacity=3,
            starts_at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
            ends_at=datetime(2026, 12, 2, 4, 0, tzinfo=UTC),
            cancel_cutoff=datetime(2026, 12, 2, 0, 0, tzinfo=UTC))
        signup = Signup.objects.create(activity=running, status="confirmed",
                                       volunteer=Volunteer.objects.get(user=vx.people[0]))
        manual = post(client, vx.leader, f"/signups/{signup.pk}/manual",
                      {"mode": "in", "reason": "手工", "at": "2026-12-02T10:00:00"})
        assert manual.status_code == 200, manual.content
        signup.refresh_from_db()
        assert signup.checked_in_at == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
        # a naive time still later than now (county time) is refused, not a 500
        future = post(client, vx.leader, f"/signups/{signup.pk}/manual",
                      {"mode": "out", "reason": "手工", "at": "2026-12-02T11:00:00"})
        assert future.status_code == 400 and future.json()["message"] == "补签时间不能晚于现在"

        order = ServiceOrder.objects.create(
            resident=make_user(), area=vx.county.shangtang, address="上塘村5组",
            request="老人独居，需要代购", status="dispatched", team=vx.team,
            due_at=SHANGHAI_NOW + timedelta(hours=24))
        accepted = post(client, vx.leader, f"/orders/{order.pk}/accept", {
            "starts_at": "2026-12-21T09:00:00", "ends_at": "2026-12-21T11:00:00"})
        assert accepted.status_code == 200, accepted.content
        order.refresh_from_db()
        assert order.activity.starts_at == datetime(2026, 12, 21, 1, 0, tzinfo=UTC)
        assert order.due_at == datetime(2026, 12, 21, 3, 0, tzinfo=UTC)


# --- 3. a bad date in the certificate's period ------------------------------------------------

@pytest.mark.django_db
def test_certificate_with_an_impossible_date_is_a_400_in_chinese(client, vx):
    client.force_login(vx.people[0])
    for query in ("from=2026-02-30", "to=2026-13-01", "from=yesterday",
                  "from=2026-03-01&to=2026-02-01"):
        response = client.get(f"/volunteers/card/certificate.pdf?{query}")
        assert response.status_code == 400, query
        assert response["Content-Type"].startswith("text/plain")
        assert "日期" in response.content.decode()
    assert client.get("/volunteers/card/certificate.pdf?from=2026-02-28").status_code == 200


# --- 4. the name on the certificate -------------------------------------------------------------

@pytest.mark.django_db
def test_real_name_is_locked_once_hours_are_recorded(client, vx):
    a, b = vx.people[:2]
    # no hours yet: the volunteer may still correct their name
    assert post(client, b, "/me", {"real_name": "赵六"}).json()["real_name"] == "赵六"
    volunteer = Volunteer.objects.get(user=a)
    confirmed(volunteer, new_activity(vx.team, starts_in=-timedelta(days=2)), 90)
    renamed = post(client, a, "/me", {"real_name": "周建国"})
    assert renamed.status_code == 409
    assert renamed.json() == {"code": "real_name_locked", "field": "real_name",
                              "message": "已有服务记录，姓名不能自行修改，如需更正请联系所在志愿队"}
    volunteer.refresh_from_db()
    assert volunteer.real_name == "志愿者1"
    # other details may change under the same name
    kept = post(client, a, "/me", {"real_name": "志愿者1", "skills": "急救"})
    assert kept.status_code == 200 and Volunteer.objects.get(user=a).skills == "急救"
    text = pdf_text(client.get("/volunteers/card/certificate.pdf"))
    assert "兹证明 志愿者1" in text and "周建国" not in text


@pytest.mark.django_db
def test_certificate_uses_the_verified_real_name(client, vx):
    a = vx.people[0]
    give_realname(a)  # 实名登记 as 张三
    confirmed(Volunteer.objects.get(user=a), new_activity(vx.team, starts_in=-timedelta(days=2)),
              60)
    client.force_login(a)
    text = pdf_text(client.get("/volunteers/card/certificate.pdf"))
    assert "兹证明 张三" in text and "志愿者1" not in text


# --- 5. the roster import keeps to the field lengths ----------------------------------------

@pytest.mark.django_db
def test_import_reports_too_long_cells_and_imports_nothing(client, county):
    client.force_login(make_user("operator"))
    response = client.post("/admin/volunteers/import/", {"file": workbook([
        ["张三", "13812345678", "荷塘镇志愿服务队", "T-T01", "是", "医护", ""],
        ["李四", "13812345679", "队" * 60, "T-T01", "", "", ""],
        ["王五", "13812345670", "荷塘镇志愿服务队", "", "", "技" * 101, ""],
        ["\u202e五赵", "13812345671", "荷塘镇志愿服务队", "", "", "", ""],
        ["\u200b\u200b", "13812345672", "\u200b", "T-T01", "", "", ""],
    ])})
    assert response.status_code == 200
    assert response.context["report"].errors == [
        "第3行：队伍名称最多40个字（本行60个字）",
        "第4行：技能特长最多100个字（本行101个字）",
        "第5行：姓名含有不允许的控制字符（如从右到左显示符）",
        "第6行：姓名须为2至20个字；队伍名称不能只由空白或不可见字符组成",
    ]
    assert not Team.objects.exists() and not Volunteer.objects.exists()


# --- 6. the honour board masks names -----------------------------------------------------------

@pytest.mark.django_db
def test_honour_board_masks_names_for_everyone(client, vx):
    volunteer = Volunteer.objects.get(user=vx.people[0])
    Volunteer.objects.filter(pk=volunteer.pk).update(real_name="王小明", total_minutes=600)
    page = client.get("/volunteers/honour/").content.decode()
    assert "王*明" in page and "王小明" not in page


# --- 7. invisible-only text and the word gate --------------------------------------------------

@pytest.mark.django_db
def test_invisible_only_names_and_ungated_order_requests_are_refused(client, vx):
    a = vx.people[0]
    name = post(client, a, "/me", {"real_name": "\u200b\u200b\u200b"})
    assert name.status_code in (400, 422), name.content
    assert Volunteer.objects.get(user=a).real_name == "志愿者1"
    start = timezone.now() + timedelta(days=2)
    base = {"title": "冬季义诊", "place": "荷塘社区", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(), "capacity": 5}
    for field, text in (("title", "\u200b"), ("place", "\u3164"), ("place", "\u202e社区")):
        refused = post(client, vx.leader, f"/teams/{vx.team.pk}/activities",
                       {**base, field: text})
        assert refused.status_code == 400, (field, refused.content)
        assert refused.json()["field"] == field
    assert not Activity.objects.exists()

    order = {"area_id": vx.county.shangtang.pk, "address": "上塘村5组",
             "request": "老人独居，需要代购降压药"}
    blank = post(client, a, "/orders", {**order, "address": "\u200b"})
    assert blank.status_code in (400, 422) and blank.json()["field"] == "address"
    # the seeded dictionary holds 出售枪支
    gated = post(client, a, "/orders", {**order, "request": "出售枪支需要帮忙"})
    assert gated.status_code == 400
    assert gated.json()["message"] == "服务需求含有不允许发布的内容，请修改"
    assert not ServiceOrder.objects.exists()
    assert post(client, a, "/orders", order).status_code == 200


# --- 8. certificate rows add up to the total -----------------------------------------------------

def test_rows_are_apportioned_to_add_up_to_the_rounded_total():
    from rongmei.volunteers.certificate import apportion

    assert apportion([4, 4, 4]) == ([1, 1, 0], 2)  # 12 min = 0.2 h: rows 0.1 + 0.1 + 0.0
    assert apportion([6, 6, 6]) == ([1, 1, 1], 3)
    assert apportion([90, 5]) == ([15, 1], 16)  # 95 min = 1.58 h → 1.6
    assert apportion([3]) == ([1], 1) and apportion([2]) == ([0], 0) and apportion([]) == ([], 0)
    for minutes in ([1] * 17, [59, 61, 7, 13], [29, 31, 2]):
        rows, total = apportion(minutes)
        assert sum(rows) == total == (sum(minutes) + 3) // 6


@pytest.mark.django_db
def test_certificate_total_is_the_sum_of_the_minutes(client, vx):
    volunteer = Volunteer.objects.get(user=vx.people[0])
    for days in (5, 4, 3):
        confirmed(volunteer, new_activity(vx.team, starts_in=-timedelta(days=days)), 4)
    client.force_login(vx.people[0])
    text = pdf_text(client.get("/volunteers/card/certificate.pdf"))
    assert "服务时长共计 0.2 小时（12 分钟）" in text
    assert "累计服务时长 0.2 小时" in text
