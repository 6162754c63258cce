"""Sign-up caps, the waiting list and the cancel cut-off; check-in by the leader's rotating
code (stale and forged codes refused, the window, the geofence, no double check-in); hours
capped by the shift, confirmed by the leader and paid through the ledger exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from rongmei.points.models import PointsAccount, PointsEntry
from rongmei.volunteers.models import Activity, HoursStatus, Signup

from .conftest import new_activity

API = "/api/v1/volunteers"


def post(client, user, path, body=None):
    client.force_login(user)
    return client.post(API + path, body or {}, content_type="application/json")


def code(client, leader, activity, mode="in"):
    client.force_login(leader)
    response = client.get(f"{API}/activities/{activity.pk}/code?mode={mode}")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.mark.django_db
def test_waiting_list_and_cancel_cutoff(client, vx):
    a, b, c = vx.people
    activity = new_activity(vx.team, capacity=1)
    assert post(client, a, f"/activities/{activity.pk}/signup").json()["status"] == "confirmed"
    assert post(client, b, f"/activities/{activity.pk}/signup").json()["status"] == "waiting"
    again = post(client, b, f"/activities/{activity.pk}/signup")
    assert again.status_code == 409 and again.json()["message"] == "您已在候补名单中"
    # a cancels in time: b moves up, the place count stays exact
    assert post(client, a, f"/activities/{activity.pk}/cancel").json()["status"] == "cancelled"
    assert Signup.objects.get(activity=activity, volunteer__user=b).status == "confirmed"
    activity.refresh_from_db()
    assert activity.taken == 1
    # after the cut-off b may not cancel; nothing changes
    with time_machine.travel(activity.cancel_cutoff + timedelta(minutes=1), tick=False):
        late = post(client, b, f"/activities/{activity.pk}/cancel")
    assert late.status_code == 409 and "已过取消截止时间" in late.json()["message"]
    assert Signup.objects.get(activity=activity, volunteer__user=b).status == "confirmed"
    # not a volunteer yet
    stranger = post(client, c.__class__.objects.create_user("13811112222"),
                    f"/activities/{activity.pk}/signup")
    assert stranger.status_code == 409 and stranger.json()["code"] == "not_a_volunteer"


@pytest.mark.django_db
def test_stale_and_forged_codes_are_refused(client, vx):
    a = vx.people[0]
    activity = new_activity(vx.team, starts_in=timedelta(minutes=10))
    post(client, a, f"/activities/{activity.pk}/signup")
    token = code(client, vx.leader, activity)
    # a screenshot a minute later no longer works
    with time_machine.travel(timezone.now() + timedelta(seconds=65), tick=False):
        stale = post(client, a, "/checkin", {"token": token})
    assert stale.status_code == 409
    assert stale.json() == {"code": "qr_expired", "field": "token",
                            "message": "二维码已过期，请扫描队长手机上最新的二维码"}
    # forged: a changed signature, another activity's id, a made-up window
    aid, mode, window, mac = token.split(".")
    other = new_activity(vx.team)
    for forged in (f"{aid}.{mode}.{window}.{'0' * len(mac)}", f"{other.pk}.{mode}.{window}.{mac}",
                   f"{aid}.{mode}.{int(window) + 1}.{mac}", f"{aid}.out.{window}.{mac}",
                   "nonsense"):
        refused = post(client, a, "/checkin", {"token": forged})
        assert refused.status_code == 400, forged
        assert refused.json()["message"] == "二维码无效，请扫描队长出示的签到码"
    assert Signup.objects.get(activity=activity, volunteer__user=a).checked_in_at is None
    # the fresh code works
    assert post(client, a, "/checkin", {"token": token}).json()["checked_in_at"]


@pytest.mark.django_db
def test_window_geofence_and_double_checkin(client, vx):
    a = vx.people[0]
    activity = new_activity(vx.team, starts_in=timedelta(hours=2), latitude=Decimal("27.100000"),
                            longitude=Decimal("114.900000"), radius_m=200)
    post(client, a, f"/activities/{activity.pk}/signup")
    early = post(client, a, "/checkin", {"token": code(client, vx.leader, activity),
                                        "latitude": 27.1, "longitude": 114.9})
    assert early.status_code == 409 and early.json()["code"] == "outside_window"
    assert "不在签到时间内" in early.json()["message"]
    with time_machine.travel(activity.starts_at, tick=False):
        token = code(client, vx.leader, activity)
        nowhere = post(client, a, "/checkin", {"token": token})
        assert nowhere.json()["message"] == "此活动需要定位签到，请允许获取您的位置"
        far = post(client, a, "/checkin", {"token": token, "latitude": 27.11,
                                           "longitude": 114.9})
        assert far.status_code == 409 and "您不在活动地点附近（相距约1111米" in far.json()["message"]
        assert Signup.objects.get(activity=activity, volunteer__user=a).checked_in_at is None
        ok = post(client, a, "/checkin", {"token": token, "latitude": 27.1005,
                                          "longitude": 114.9})
        assert ok.status_code == 200
        twice = post(client, a, "/checkin", {"token": token, "latitude": 27.1005,
                                             "longitude": 114.9})
        assert twice.status_code == 409 and "无需重复签到" in twice.json()["message"]
        # someone who did not sign up cannot check in
        b = vx.people[1]
        not_mine = post(client, b, "/checkin", {"token": token, "latitude": 27.1005,
                                                "longitude": 114.9})
        assert not_mine.status_code == 409 and not_mine.json()["code"] == "not_signed_up"


@pytest.mark.django_db
def test_hours_are_capped_by_the_shift_and_paid_once(client, vx):
    a, b = vx.people[:2]
    activity = new_activity(vx.team, starts_in=timedelta(hours=1), hours=2)
    for person in (a, b):
        post(client, person, f"/activities/{activity.pk}/signup")
    with time_machine.travel(activity.starts_at - timedelta(minutes=25), tick=False):
        post(client, a, "/checkin", {"token": code(client, vx.leader, activity)})
    with time_machine.travel(activity.ends_at + timedelta(minutes=50), tick=False):
        out = post(client, a, "/checkin", {"token": code(client, vx.leader, activity, "out")})
    assert out.json()["minutes"] == 120  # 3 h 15 min on site, the shift is 2 h
    assert out.json()["hours_status"] == "pending"
    signup = Signup.objects.get(activity=activity, volunteer__user=a)

    # another team's leader may not confirm it
    foreign = post(client, vx.other_leader, f"/signups/{signup.pk}/confirm")
    assert foreign.status_code == 403 and foreign.json()["message"] == "您无权管理“荷塘镇”"
    # a resident holding no role may not either
    nobody = post(client, b, f"/signups/{signup.pk}/confirm")
    assert nobody.status_code == 403 and nobody.json()["message"] == "只有志愿队长可以确认服务时长"
    signup.refresh_from_db()
    assert signup.hours_status == HoursStatus.PENDING and not PointsEntry.objects.exists()

    confirmed = post(client, vx.leader, f"/signups/{signup.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["points_paid"] == 20  # 2 h × 10
    again = post(client, vx.leader, f"/signups/{signup.pk}/confirm")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"
    assert PointsAccount.objects.get(user=a).balance == 20
    assert PointsEntry.objects.filter(account__user=a).count() == 1
    assert a.volunteer.__class__.objects.get(user=a).total_minutes == 120

    # b forgot to scan: the leader checks in and out by hand, with a reason; a make-up of
    # more than the shift is refused
    bs = Signup.objects.get(activity=activity, volunteer__user=b)
    with time_machine.travel(activity.ends_at + timedelta(minutes=5), tick=False):
        no_reason = post(client, vx.leader, f"/signups/{bs.pk}/manual", {"mode": "in",
                                                                         "reason": ""})
        assert no_reason.json()["message"] == "请填写补签原因"
        assert post(client, vx.leader, f"/signups/{bs.pk}/manual", {
            "mode": "in", "reason": "手机没电", "at": activity.starts_at.isoformat()}
        ).status_code == 200
        assert post(client, vx.leader, f"/signups/{bs.pk}/manual", {
            "mode": "out", "reason": "手机没电"}).json()["minutes"] == 120
        over = post(client, vx.leader, f"/signups/{bs.pk}/confirm",
                    {"minutes": 150, "reason": "补录"})
        assert over.status_code == 400 and "不能超过本次活动时长（120分钟）" in over.json()["message"]
        made_up = post(client, vx.leader, f"/signups/{bs.pk}/confirm",
                       {"minutes": 90, "reason": "中途离开半小时"})
    assert made_up.json()["points_paid"] == 15
    assert PointsAccount.objects.get(user=b).balance == 15


@pytest.mark.django_db
def test_leader_actions_stay_in_their_team(client, vx):
    activity = new_activity(vx.team)
    response = post(client, vx.other_leader, f"/teams/{vx.team.pk}/activities", {
        "title": "越权活动", "place": "荷塘", "capacity": 3,
        "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
        "ends_at": (timezone.now() + timedelta(days=1, hours=1)).isoformat()})
    assert response.status_code == 403
    client.force_login(vx.other_leader)
    assert client.get(f"{API}/activities/{activity.pk}/code").status_code == 403
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_a_disputed_time_is_decided_by_the_team(client, vx):
    a = vx.people[0]
    activity = new_activity(vx.team, starts_in=timedelta(hours=1), hours=2)
    post(client, a, f"/activities/{activity.pk}/signup")
    signup = Signup.objects.get(activity=activity, volunteer__user=a)
    early = post(client, a, f"/signups/{signup.pk}/claim", {"minutes": 60, "reason": "忘记签到了"})
    assert early.status_code == 409 and early.json()["message"] == "活动开始后才能申诉时长"
    with time_machine.travel(activity.ends_at + timedelta(minutes=10), tick=False):
        over = post(client, a, f"/signups/{signup.pk}/claim", {"minutes": 150,
                                                                 "reason": "忘记签到了"})
        assert over.status_code == 400 and "不超过活动时长" in over.json()["message"]
        assert post(client, vx.people[1], f"/signups/{signup.pk}/claim",
                    {"minutes": 60, "reason": "忘记签到了"}).status_code == 404
        assert post(client, a, f"/signups/{signup.pk}/claim",
                    {"minutes": 100, "reason": "忘记签到了"}).status_code == 200
        assert post(client, vx.other_leader, f"/signups/{signup.pk}/claim/decide",
                    {"approve": True}).status_code == 403
        decided = post(client, vx.leader, f"/signups/{signup.pk}/claim/decide",
                       {"approve": True})
    assert decided.json()["hours_status"] == "confirmed" and decided.json()["minutes"] == 100
    assert decided.json()["points_paid"] == 16  # 100/60 h × 10, rounded down
    assert PointsAccount.objects.get(user=a).balance == 16


@pytest.mark.django_db
def test_a_leader_cannot_confirm_hours_that_did_not_happen(client, vx):
    """Review findings: a leader confirmed 12 hours for their own sign-up to a future
    activity, and hours for a waiting-list sign-up; a NaN position passed the geofence."""
    activity = new_activity(vx.team, capacity=1)
    own = post(client, vx.leader, f"/activities/{activity.pk}/signup").json()
    waiting = post(client, vx.people[0], f"/activities/{activity.pk}/signup").json()
    assert waiting["status"] == "waiting"
    mine = post(client, vx.leader, f"/signups/{own['id']}/confirm", {"minutes": 60, "reason": "补录"})
    assert mine.status_code == 403
    listed = post(client, vx.leader, f"/signups/{waiting['id']}/confirm",
                  {"minutes": 60, "reason": "补录"})
    assert listed.status_code == 409 and listed.json()["code"] == "not_signed_up"
    assert not PointsEntry.objects.filter(account__user=vx.leader).exists()


@pytest.mark.django_db
def test_a_code_with_superscript_digits_is_refused_not_a_500(client, vx):
    for token in ("².in.1.abc", "7.in.².abc"):
        refused = post(client, vx.people[0], "/checkin", {"token": token})
        assert 400 <= refused.status_code < 500, token
