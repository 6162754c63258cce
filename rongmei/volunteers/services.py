"""志愿者之家 services: every write goes through here.

Residents act for themselves (register, join, sign up, cancel, scan the check-in code, order
a service, rate it). Team leaders (志愿队长) act on their own teams only: ``access_team``
asks the access module (role and unit) and then the team's own leader list. The
文明实践中心 dispatches orders; townships confirm 三长 services.

Exactness under concurrency: a sign-up locks its activity row (and the database holds
``taken <= capacity``); a check-in or a confirmation locks the sign-up row; points are paid
through the ledger with an idempotency key per sign-up (or service record), so a replay or
a double click never pays twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.moments import local_aware
from rongmei.core.roles import GRID_LEADER, OPERATOR, UNIT_ADMIN, UNIT_HANDLER, VOLUNTEER_LEADER
from rongmei.core.text import CONTROL_CHARACTERS, check_name, strip_controls, visible_length
from rongmei.core.uploads import clean_image
from rongmei.units.access import (
    access_unit,
    can_act_in_unit,
    check_role,
    has_role,
    is_county_wide,
)
from rongmei.units.models import Unit

from .models import (
    Activity,
    ActivityStatus,
    GridService,
    GridServiceKind,
    GridServiceStatus,
    HoursStatus,
    MemberStatus,
    MenuItem,
    OrderStatus,
    PostStatus,
    ServiceOrder,
    ShowcasePost,
    Signup,
    SignupStatus,
    Team,
    TeamMember,
    Volunteer,
)

VOLUNTEER_HOUR = "volunteer_hour"  # the 志愿服务 earning rule (points per hour)
SANZHANG_SERVICE = "sanzhang_service"  # the 三长服务 earning rule
QR_WINDOW_SECONDS = 30  # the leader's code changes every 30 s; the last two codes work
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
CHECKOUT_CLOSES_AFTER = timedelta(hours=2)
DISPATCH_WITHIN = timedelta(hours=24)  # 派单 within a day of 点单
ACCEPT_WITHIN = timedelta(hours=24)  # 接单 within a day of 派单
RATE_WITHIN = timedelta(days=7)
GRID_SERVICE_LOOKBACK = timedelta(days=90)  # 三长 record what they did this quarter


def _typed(value) -> str:
    """Free text as the person typed it: control and bidi-override characters removed."""
    return strip_controls(value or "").strip()


def _named(value, *, field: str, label: str) -> str:
    """A name, title, place or address: control and bidi-override characters refused
    (``check_name``), and a character a reader can see — a text of only zero-width
    characters or filler marks ("\u200b", "\u3164") is no name."""
    value = check_name(value, field=field, label=label)
    if value and not visible_length(value):
        raise ServiceError("invisible_text", f"{label}不能只由空白或不可见字符组成",
                           field=field)
    return value


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}"


def _gate(fields: dict[str, str]) -> None:
    """Public text passes the word gate (rongmei.wordgate)."""
    from rongmei.wordgate.services import scan

    for label, text in fields.items():
        if text and scan(text).blocked:
            raise ServiceError("sensitive_words", f"{label}含有不允许发布的内容，请修改")


# --- volunteers and teams --------------------------------------------------------------------

def has_confirmed_hours(volunteer: Volunteer) -> bool:
    return volunteer.total_minutes > 0 or Signup.objects.filter(
        volunteer=volunteer, hours_status=HoursStatus.CONFIRMED).exists()


def volunteer_of(user) -> Volunteer:
    volunteer = Volunteer.objects.filter(user_id=getattr(user, "pk", None)).first()
    if volunteer is None:
        raise ServiceError("not_a_volunteer", "请先注册成为志愿者", status=409)
    return volunteer


def volunteer_register(*, user, real_name: str, skills: str = "", area=None,
                       availability: str = "") -> Volunteer:
    """A resident registers (or updates their record) as a volunteer."""
    real_name = _named(real_name, field="real_name", label="姓名")
    if not 2 <= len(real_name) <= 20 or visible_length(real_name) < 2:
        raise ServiceError("real_name_required", "请填写2至20个字的真实姓名", field="real_name")
    current = Volunteer.objects.filter(user_id=getattr(user, "pk", None)).first()
    if current is not None and current.real_name != real_name and has_confirmed_hours(current):
        # The certificate states who served: once the organiser has recorded service under
        # a name, the volunteer cannot rename the record (and have hours certified to
        # someone else); the team corrects a real mistake.
        raise ServiceError("real_name_locked", "已有服务记录，姓名不能自行修改，如需更正请联系所在志愿队",
                           field="real_name", status=409)
    _gate({"姓名": real_name})
    area_unit = None
    if area not in (None, ""):
        area_unit = Unit.objects.filter(pk=area, is_active=True).first()
        if area_unit is None:
            raise ServiceError("area_not_found", "所选区域不存在", field="area")
    values = {"real_name": real_name, "skills": (skills or "").strip()[:100],
              "area": area_unit, "availability": (availability or "").strip()[:60]}
    volunteer, _ = Volunteer.objects.update_or_create(user=user, defaults=values)
    return volunteer


def team_join(*, user, team_id: int) -> TeamMember:
    volunteer = volunteer_of(user)
    team = Team.objects.filter(pk=team_id, is_active=True).first()
    if team is None:
        raise NotFoundError("队伍不存在")
    member, created = TeamMember.objects.get_or_create(team=team, volunteer=volunteer)
    if not created:
        if member.status == MemberStatus.ACTIVE:
            raise ServiceError("already_member", "您已是该队队员", status=409)
        if member.status == MemberStatus.PENDING:
            raise ServiceError("already_applied", "已提交申请，请等待队长审核", status=409)
        member.status = MemberStatus.PENDING
        member.decided_by, member.decided_at = None, None
        member.save(update_fields=["status", "decided_by", "decided_at"])
    return member


def access_team(actor, team_or_id) -> Team:
    """The team if ``actor`` leads it (志愿队长 in its unit and named its leader); raise."""
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以管理队伍")
    team = team_or_id if isinstance(team_or_id, Team) else (
        Team.objects.select_related("unit").filter(pk=team_or_id).first())
    if team is None:
        raise NotFoundError("队伍不存在")
    access_unit(actor, team.unit, VOLUNTEER_LEADER)
    if not is_county_wide(actor) and not TeamMember.objects.filter(
            team=team, volunteer__user=actor, is_leader=True,
            status=MemberStatus.ACTIVE).exists():
        raise PermissionDeniedError(f"您不是“{team.name}”的队长")
    return team


def led_teams(user):
    """Teams ``user`` leads (for the leader pages; access is checked again on every action)."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.filter(members__volunteer__user=user, members__is_leader=True,
                               members__status=MemberStatus.ACTIVE, is_active=True).distinct()


def member_decide(*, actor, member_id: int, approve: bool) -> TeamMember:
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以审核入队申请")
    member = TeamMember.objects.select_related("team").filter(pk=member_id).first()
    if member is None:
        raise NotFoundError("申请不存在")
    access_team(actor, member.team)
    if member.status != MemberStatus.PENDING:
        raise ServiceError("already_decided", "该申请已处理", status=409)
    member.status = MemberStatus.ACTIVE if approve else MemberStatus.REJECTED
    member.decided_by, member.decided_at = actor, timezone.now()
    member.save(update_fields=["status", "decided_by", "decided_at"])
    return member


# --- activities --------------------------------------------------------------------------------

def _decimal(value, name: str, label: str):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite():  # NaN and Infinity compare with nothing
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_number", f"{label}格式不正确", field=name) from None
    if abs(number) > LIMITS.get(name, Decimal("1e9")):
        raise ServiceError("invalid_number", f"{label}超出范围", field=name)
    return number


LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}


def activity_create(*, actor, team_id: int, title: str, place: str, starts_at: datetime,
                    ends_at: datetime, capacity: int, cancel_cutoff: datetime | None = None,
                    description: str = "", requirements: str = "", latitude=None,
                    longitude=None, radius_m=None, now: datetime | None = None) -> Activity:
    team = access_team(actor, team_id)
    now = now or timezone.now()
    title = _named(title, field="title", label="活动名称")
    place = _named(place, field="place", label="活动地点")
    description, requirements = _typed(description), _typed(requirements)
    if not title:
        raise ServiceError("title_required", "请填写活动名称", field="title")
    if not place:
        raise ServiceError("place_required", "请填写活动地点", field="place")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise ServiceError("time_required", "请填写开始和结束时间", field="starts_at")
    # A time without a zone is the county's local time (the console's forms, API callers).
    starts_at, ends_at = local_aware(starts_at), local_aware(ends_at)
    cancel_cutoff = local_aware(cancel_cutoff)
    if ends_at <= starts_at:
        raise ServiceError("ends_before_start", "结束时间须晚于开始时间", field="ends_at")
    if starts_at <= now:
        raise ServiceError("starts_in_past", "开始时间须晚于现在", field="starts_at")
    if ends_at - starts_at > timedelta(hours=12):
        raise ServiceError("shift_too_long", "单次活动不能超过12小时，请分班次发布",
                           field="ends_at")
    if not isinstance(capacity, int) or not 1 <= capacity <= 1000:
        raise ServiceError("invalid_capacity", "招募人数须在1至1000之间", field="capacity")
    cancel_cutoff = cancel_cutoff or (starts_at - timedelta(hours=2))
    if cancel_cutoff > starts_at:
        raise ServiceError("cutoff_after_start", "取消截止时间不能晚于开始时间",
                           field="cancel_cutoff")
    lat = _decimal(latitude, "latitude", "纬度")
    lng = _decimal(longitude, "longitude", "经度")
    try:
        radius = int(radius_m) if radius_m not in (None, "", 0, "0") else None
    except (TypeError, ValueError):
        raise ServiceError("invalid_radius", "签到范围须为整数（米）", field="radius_m") from None
    if radius is not None and (lat is None or lng is None):
        raise ServiceError("location_required", "设置签到范围时须在地图上选定活动地点",
                           field="radius_m")
    if radius is not None and not 20 <= radius <= 5000:
        raise ServiceError("invalid_radius", "签到范围须在20至5000米之间", field="radius_m")
    _gate({"活动名称": title, "活动地点": place, "活动内容": description,
           "参加要求": requirements})
    return Activity.objects.create(
        team=team, title=title, place=place, starts_at=starts_at, ends_at=ends_at,
        capacity=capacity, cancel_cutoff=cancel_cutoff, description=description or "",
        requirements=(requirements or "")[:200], latitude=lat, longitude=lng, radius_m=radius,
        created_by=actor)


def signup_create(*, user, activity_id: int, now: datetime | None = None) -> Signup:
    """Sign up: a place while there is one, else the waiting list. Exact under parallel
    sign-ups: the activity row is locked while its places are counted and taken."""
    volunteer = volunteer_of(user)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_volunteer(volunteer.pk)  # parallel sign-ups of one person: one at a time
        activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
        if activity is None or activity.status != ActivityStatus.PUBLISHED:
            raise NotFoundError("活动不存在或已取消")
        if now >= activity.starts_at:
            raise ServiceError("signup_closed", "活动已开始，报名已截止", status=409)
        signup = Signup.objects.select_for_update().filter(
            activity=activity, volunteer=volunteer).first()
        if signup is not None and signup.status != SignupStatus.CANCELLED:
            raise ServiceError("already_signed_up", "您已报名此活动" if signup.status ==
                               SignupStatus.CONFIRMED else "您已在候补名单中", status=409)
        clash = _overlapping(volunteer, activity).first()
        if clash is not None:
            raise ServiceError("time_conflict", f"您已报名同一时段的活动“{clash.activity.title}”"
                               f"（{_span(clash.activity)}），同一时间只能参加一项活动",
                               status=409)
        status = SignupStatus.CONFIRMED if activity.taken < activity.capacity \
            else SignupStatus.WAITING
        if status == SignupStatus.CONFIRMED:
            Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + 1)
        if signup is None:
            signup = Signup.objects.create(activity=activity, volunteer=volunteer, status=status)
        else:  # signing up again after cancelling: to the back of the queue
            signup.status, signup.cancelled_at, signup.created_at = status, None, now
            signup.save(update_fields=["status", "cancelled_at", "created_at"])
        return signup


def _lock_volunteer(volunteer_id: int) -> None:
    """Row lock on the volunteer: their sign-ups, check-ins and confirmations are serialised
    (always taken before the activity and sign-up locks, so no two writers wait in a circle)."""
    Volunteer.objects.select_for_update().filter(pk=volunteer_id).first()


def _span(activity: Activity) -> str:
    return f"{_local(activity.starts_at)}至{timezone.localtime(activity.ends_at):%H:%M}"


def _overlapping(volunteer: Volunteer | int, activity: Activity):
    """The volunteer's other live sign-ups (confirmed or waiting) whose activity overlaps
    ``activity`` in time: one person's hour is one hour, whatever they signed up for."""
    return (Signup.objects.filter(volunteer=volunteer,
                                  activity__status=ActivityStatus.PUBLISHED,
                                  activity__starts_at__lt=activity.ends_at,
                                  activity__ends_at__gt=activity.starts_at)
            .exclude(status=SignupStatus.CANCELLED).exclude(activity=activity)
            .select_related("activity").order_by("activity__starts_at", "pk"))


def signup_cancel(*, user, activity_id: int, now: datetime | None = None) -> Signup:
    """Cancel before the cut-off; a freed place goes to the first on the waiting list."""
    volunteer = volunteer_of(user)
    now = now or timezone.now()
    with transaction.atomic():
        activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
        if activity is None:
            raise NotFoundError("活动不存在")
        signup = Signup.objects.select_for_update().filter(
            activity=activity, volunteer=volunteer).exclude(
            status=SignupStatus.CANCELLED).first()
        if signup is None:
            raise ServiceError("not_signed_up", "您没有报名此活动", status=409)
        if signup.status == SignupStatus.CONFIRMED and now >= activity.cancel_cutoff:
            raise ServiceError("cancel_closed", f"已过取消截止时间（{_local(activity.cancel_cutoff)}），"
                               "如不能参加请联系队长", status=409)
        if signup.checked_in_at:
            raise ServiceError("already_checked_in", "您已签到，不能取消报名", status=409)
        was_confirmed = signup.status == SignupStatus.CONFIRMED
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
        signup.save(update_fields=["status", "cancelled_at"])
        if was_confirmed:
            promoted = (Signup.objects.select_for_update()
                        .filter(activity=activity, status=SignupStatus.WAITING)
                        .order_by("created_at", "pk").first())
            if promoted is not None and now < activity.starts_at:
                promoted.status = SignupStatus.CONFIRMED
                promoted.save(update_fields=["status"])
            else:
                Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
        return signup


# --- the rotating check-in code ----------------------------------------------------------------

def _window(moment: datetime) -> int:
    return int(moment.timestamp()) // QR_WINDOW_SECONDS


def _mac(activity: Activity, mode: str, window: int) -> str:
    return salted_hmac("rongmei.volunteers.checkin", f"{activity.pk}.{mode}.{window}",
                       secret=f"{settings.SECRET_KEY}:{activity.qr_secret}",
                       algorithm="sha256").hexdigest()[:20]


def checkin_code(*, actor, activity_id: int, mode: str = "in",
                 now: datetime | None = None) -> tuple[str, int]:
    """The code the leader shows now, and how many seconds it has left before it changes."""
    activity = Activity.objects.select_related("team").filter(pk=activity_id).first()
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以出示签到码")
    if activity is None:
        raise NotFoundError("活动不存在")
    access_team(actor, activity.team)
    if mode not in ("in", "out"):
        raise ServiceError("invalid_mode", "请选择签到码或签退码", field="mode")
    now = now or timezone.now()
    window = _window(now)
    left = QR_WINDOW_SECONDS - int(now.timestamp()) % QR_WINDOW_SECONDS
    return f"{activity.pk}.{mode}.{window}.{_mac(activity, mode, window)}", left


def _parse_code(token: str, now: datetime) -> tuple[Activity, str]:
    invalid = ServiceError("qr_invalid", "二维码无效，请扫描队长出示的签到码", field="token")
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or not parts[0].isdecimal() or not parts[2].isdecimal() \
            or parts[1] not in ("in", "out"):
        raise invalid
    activity = Activity.objects.filter(pk=int(parts[0])).first()
    if activity is None:
        raise invalid
    mode, window = parts[1], int(parts[2])
    if not constant_time_compare(_mac(activity, mode, window), parts[3]):
        raise invalid
    current = _window(now)
    if window > current or window < current - 1:
        raise ServiceError("qr_expired", "二维码已过期，请扫描队长手机上最新的二维码",
                           field="token", status=409)
    return activity, mode


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6371000.0
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _shift_minutes(activity: Activity, checked_in: datetime, checked_out: datetime) -> int:
    """Time on site, capped by the shift: only the part inside [starts_at, ends_at] counts."""
    start = max(checked_in, activity.starts_at)
    end = min(checked_out, activity.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _check(signup: Signup, activity: Activity, mode: str, now: datetime) -> Signup:
    if mode == "in":
        if signup.checked_in_at:
            raise ServiceError("already_checked_in",
                               f"您已于{_local(signup.checked_in_at)}签到，无需重复签到",
                               status=409)
        if not activity.starts_at - CHECKIN_OPENS_BEFORE <= now <= activity.ends_at:
            raise ServiceError("outside_window", f"不在签到时间内：活动时间{_local(activity.starts_at)}"
                               f"至{timezone.localtime(activity.ends_at):%H:%M}，开始前30分钟起可签到",
                               status=409)
        # Sign-ups made before overlaps were refused may still overlap: time already being
        # recorded at one of them is not recorded again here.
        clash = _overlapping(signup.volunteer_id, activity).filter(
            checked_in_at__isnull=False).first()
        if clash is not None:
            raise ServiceError("time_conflict", f"已在同一时段的活动“{clash.activity.title}”"
                               f"（{_span(clash.activity)}）签到，同一时间只能记录一项服务",
                               status=409)
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
        return signup
    if not signup.checked_in_at:
        raise ServiceError("not_checked_in", "您还没有签到，请先扫签到码", status=409)
    if signup.checked_out_at:
        raise ServiceError("already_checked_out",
                           f"您已于{_local(signup.checked_out_at)}签退", status=409)
    if now > activity.ends_at + CHECKOUT_CLOSES_AFTER:
        raise ServiceError("outside_window", "签退时间已过，请联系队长补签", status=409)
    signup.checked_out_at = now
    signup.minutes = _shift_minutes(activity, signup.checked_in_at, now)
    signup.hours_status = HoursStatus.PENDING
    signup.save(update_fields=["checked_out_at", "minutes", "hours_status"])
    return signup


def checkin_scan(*, user, token: str, latitude=None, longitude=None,
                 now: datetime | None = None) -> Signup:
    """A volunteer scans the leader's code: check in (签到码) or out (签退码)."""
    now = now or timezone.now()
    activity, mode = _parse_code(token, now)
    volunteer = volunteer_of(user)
    if activity.status != ActivityStatus.PUBLISHED:
        raise ServiceError("activity_cancelled", "活动已取消", status=409)
    if activity.radius_m:
        if latitude in (None, "") or longitude in (None, ""):
            raise ServiceError("location_required", "此活动需要定位签到，请允许获取您的位置",
                               field="latitude")
        lat = _decimal(latitude, "latitude", "纬度")
        lng = _decimal(longitude, "longitude", "经度")
        far = distance_m(lat, lng, activity.latitude, activity.longitude)
        if far > activity.radius_m:
            raise ServiceError("outside_geofence", f"您不在活动地点附近（相距约{int(far)}米，"
                               f"须在{activity.radius_m}米内），请到现场后再扫码",
                               field="latitude", status=409)
    with transaction.atomic():
        _lock_volunteer(volunteer.pk)
        signup = Signup.objects.select_for_update().filter(
            activity=activity, volunteer=volunteer).first()
        if signup is None or signup.status != SignupStatus.CONFIRMED:
            raise ServiceError("not_signed_up", "您没有报名此活动（或仍在候补），不能签到",
                               status=409)
        return _check(signup, activity, mode, now)


def manual_check(*, actor, signup_id: int, mode: str, reason: str, at: datetime | None = None,
                 now: datetime | None = None) -> Signup:
    """The leader checks a volunteer in or out by hand, with the reason on the record."""
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以补签")
    now = now or timezone.now()
    at = local_aware(at)  # a time without a zone is the county's local time
    reason = (reason or "").strip()
    with transaction.atomic():
        volunteer_id = Signup.objects.filter(pk=signup_id).values_list(
            "volunteer_id", flat=True).first()
        if volunteer_id is not None:
            _lock_volunteer(volunteer_id)
        signup = (Signup.objects.select_for_update(of=("self",)).select_related("activity__team")
                  .filter(pk=signup_id).first())
        if signup is None:
            raise NotFoundError("报名记录不存在")
        access_team(actor, signup.activity.team)
        if mode not in ("in", "out"):
            raise ServiceError("invalid_mode", "请选择补签到或补签退", field="mode")
        if not reason:
            raise ServiceError("reason_required", "请填写补签原因", field="reason")
        if signup.status != SignupStatus.CONFIRMED:
            raise ServiceError("not_signed_up", "该志愿者没有有效报名", status=409)
        if signup.hours_status == HoursStatus.CONFIRMED:
            raise ServiceError("already_confirmed", "时长已确认，不能再补签", status=409)
        when = at or now
        if when > now:
            raise ServiceError("time_in_future", "补签时间不能晚于现在", field="at")
        signup.manual_reason, signup.manual_by = reason[:100], actor
        signup.save(update_fields=["manual_reason", "manual_by"])
        return _check(signup, signup.activity, mode, when)


# --- hours and points -------------------------------------------------------------------------

def hours_confirm(*, actor, signup_id: int, minutes: int | None = None, reason: str = "",
                  now: datetime | None = None) -> Signup:
    """The leader confirms a volunteer's hours; the 志愿服务 rule pays points once.

    ``minutes`` corrects the recorded time (a make-up or a dispute the team approved): it
    needs a reason and is still capped by the shift.
    """
    from rongmei.points.services import points_earn

    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以确认服务时长")
    now = now or timezone.now()
    with transaction.atomic():
        volunteer_id = Signup.objects.filter(pk=signup_id).values_list(
            "volunteer_id", flat=True).first()
        if volunteer_id is not None:
            _lock_volunteer(volunteer_id)  # the same order as sign-up and check-in
        signup = (Signup.objects.select_for_update(of=("self",))
                  .select_related("activity__team", "volunteer__user")
                  .filter(pk=signup_id).first())
        if signup is None:
            raise NotFoundError("报名记录不存在")
        activity = signup.activity
        access_team(actor, activity.team)
        if signup.hours_status == HoursStatus.CONFIRMED:
            raise ServiceError("already_confirmed", "该志愿者的时长已确认，不会重复发放积分",
                               status=409)
        # Hours are someone else's word about service that happened (review findings): never
        # one's own, only for a place actually held, and a make-up only once it is over.
        if signup.volunteer.user_id == actor.pk:
            raise PermissionDeniedError("不能确认自己的服务时长，请由本队其他队长确认")
        if signup.status != SignupStatus.CONFIRMED:
            raise ServiceError("not_signed_up", "该志愿者没有报上名（候补或已取消），不能确认时长",
                               status=409)
        if minutes is not None and now < activity.ends_at:  # a make-up is for what happened
            raise ServiceError("not_ended", "活动结束后才能补录服务时长", status=409)
        if minutes is not None:
            if not (reason or "").strip():
                raise ServiceError("reason_required", "修改时长须填写原因", field="reason")
            if minutes < 0 or minutes > activity.shift_minutes:
                raise ServiceError("over_shift", f"时长不能超过本次活动时长（{activity.shift_minutes}分钟）",
                                   field="minutes")
            signup.minutes = minutes
            signup.manual_reason = reason.strip()[:100]
        elif signup.hours_status != HoursStatus.PENDING:
            raise ServiceError("not_checked_out", "该志愿者还没有签退，不能确认时长", status=409)
        signup.minutes = min(signup.minutes, activity.shift_minutes)
        signup.hours_status = HoursStatus.CONFIRMED
        signup.confirmed_by, signup.confirmed_at = actor, now
        entry = None
        if signup.minutes:
            entry = points_earn(user=signup.volunteer.user, action=VOLUNTEER_HOUR,
                                source=f"volunteer_signup:{signup.pk}",
                                key=f"{VOLUNTEER_HOUR}:signup:{signup.pk}",
                                quantity=Fraction(signup.minutes, 60), now=now)
        signup.points_paid = entry.amount if entry is not None else 0
        signup.save(update_fields=["minutes", "manual_reason", "hours_status", "confirmed_by",
                                   "confirmed_at", "points_paid"])
        Volunteer.objects.filter(pk=signup.volunteer_id).update(
            total_minutes=F("total_minutes") + signup.minutes)
        return signup


def hours_claim(*, user, signup_id: int, minutes: int, reason: str,
                now: datetime | None = None) -> Signup:
    """A volunteer disputes the recorded time (or asks for a make-up) before it is
    confirmed; the team's leader decides (``hours_claim_decide``)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        signup = (Signup.objects.select_for_update(of=("self",)).select_related("activity")
                  .filter(pk=signup_id, volunteer__user_id=getattr(user, "pk", None)).first())
        if signup is None:
            raise NotFoundError("报名记录不存在")
        if signup.status != SignupStatus.CONFIRMED:
            raise ServiceError("not_signed_up", "只有已报名的活动可以申诉时长", status=409)
        if now < signup.activity.starts_at:
            raise ServiceError("not_started", "活动开始后才能申诉时长", status=409)
        if signup.hours_status == HoursStatus.CONFIRMED:
            raise ServiceError("already_confirmed", "时长已确认，如有异议请联系队伍", status=409)
        if signup.claim_status == "pending":
            raise ServiceError("claim_pending", "已有申诉在等待队长处理", status=409)
        shift = signup.activity.shift_minutes
        if not isinstance(minutes, int) or not 0 < minutes <= shift:
            raise ServiceError("over_shift", f"申诉时长须在1至{shift}分钟之间（不超过活动时长）",
                               field="minutes")
        if len(reason) < 4:
            raise ServiceError("reason_required", "请用至少4个字说明申诉理由", field="reason")
        signup.claim_minutes, signup.claim_reason = minutes, reason[:100]
        signup.claim_status = "pending"
        signup.save(update_fields=["claim_minutes", "claim_reason", "claim_status"])
        return signup


def hours_claim_decide(*, actor, signup_id: int, approve: bool,
                       now: datetime | None = None) -> Signup:
    """The leader approves a claim (its time is confirmed and paid, once) or turns it down
    (the recorded time stays, to be confirmed as usual)."""
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以处理时长申诉")
    signup = Signup.objects.select_related("activity__team").filter(pk=signup_id).first()
    if signup is None:
        raise NotFoundError("报名记录不存在")
    access_team(actor, signup.activity.team)
    if signup.claim_status != "pending":
        raise ServiceError("no_claim", "没有待处理的申诉", status=409)
    if approve:
        with transaction.atomic():
            _lock_volunteer(signup.volunteer_id)  # before the sign-up row, as everywhere
            Signup.objects.filter(pk=signup.pk).update(claim_status="approved")
            return hours_confirm(actor=actor, signup_id=signup.pk,
                                 minutes=signup.claim_minutes,
                                 reason=f"申诉：{signup.claim_reason}"[:100], now=now)
    Signup.objects.filter(pk=signup.pk, claim_status="pending").update(claim_status="rejected")
    signup.refresh_from_db()
    return signup


# --- Excel import of teams and volunteers --------------------------------------------------------

IMPORT_COLUMNS = ("姓名", "手机号", "队伍名称", "队伍所属单位编码", "是否队长", "技能特长",
                  "所在区域编码")
REQUIRED_COLUMNS = ("姓名", "手机号", "队伍名称")
# Lengths as the models hold them: a longer cell is a bad row, never a failed write halfway.
TEAM_NAME_MAX = Team._meta.get_field("name").max_length
SKILLS_MAX = Volunteer._meta.get_field("skills").max_length


@dataclass
class ImportReport:
    teams: int = 0
    volunteers: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_roster(*, actor, data: bytes) -> ImportReport:
    """Teams and volunteers from an .xlsx roster (one row per volunteer and team).

    All or nothing: every row is checked first; any bad row → a report in Chinese naming
    the row and what is wrong, and nothing is written.
    """
    from rongmei.accounts.models import User
    from rongmei.accounts.validators import normalize_phone
    from rongmei.core.excel import read_sheet
    from rongmei.units.services import membership_add

    check_role(actor, OPERATOR, message="只有运营人员可以导入志愿者名册")
    workbook, header, rows, value = read_sheet(data, IMPORT_COLUMNS, field="file")
    report = ImportReport()
    try:
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ServiceError("invalid_excel", "表头缺少列：" + "、".join(missing), field="file")
        units = {u.code: u for u in Unit.objects.filter(is_active=True)}
        teams = {t.name: t for t in Team.objects.select_related("unit")}
        new_teams: dict[str, Unit] = {}
        seen: set[tuple[str, str]] = set()
        parsed = []
        for number, row in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in row):
                continue
            problems = []
            name, raw_phone, team_name = value(row, "姓名"), value(row, "手机号"), \
                value(row, "队伍名称")
            unit_code, area_code = value(row, "队伍所属单位编码"), value(row, "所在区域编码")
            if not 2 <= len(name) <= 20 or visible_length(name) < 2:
                problems.append("姓名须为2至20个字")
            skills = value(row, "技能特长")
            for label, text in (("姓名", name), ("队伍名称", team_name), ("技能特长", skills)):
                if CONTROL_CHARACTERS.search(text) or "\n" in text or "\t" in text:
                    problems.append(f"{label}含有不允许的控制字符（如从右到左显示符）")
            if team_name and not visible_length(team_name):
                problems.append("队伍名称不能只由空白或不可见字符组成")
            for label, text, limit in (("队伍名称", team_name, TEAM_NAME_MAX),
                                       ("技能特长", skills, SKILLS_MAX)):
                if len(text) > limit:
                    problems.append(f"{label}最多{limit}个字（本行{len(text)}个字）")
            phone = ""
            try:
                phone = normalize_phone(raw_phone)
            except Exception:  # noqa: BLE001 - ValidationError with a Chinese message
                problems.append(f"手机号“{raw_phone}”格式不正确")
            if not team_name:
                problems.append("队伍名称不能为空")
            elif team_name not in teams:
                if team_name in new_teams:
                    if unit_code and units.get(unit_code) not in (None, new_teams[team_name]):
                        problems.append(f"队伍“{team_name}”的所属单位与前面的行不一致")
                elif not unit_code:
                    problems.append(f"新队伍“{team_name}”须填写队伍所属单位编码")
                elif unit_code not in units:
                    problems.append(f"单位编码“{unit_code}”不存在")
                else:
                    new_teams[team_name] = units[unit_code]
            if area_code and area_code not in units:
                problems.append(f"所在区域编码“{area_code}”不存在")
            if phone and (phone, team_name) in seen:
                problems.append(f"手机号{phone}在队伍“{team_name}”中重复")
            if problems:
                report.errors.append(f"第{number}行：" + "；".join(problems))
                continue
            seen.add((phone, team_name))
            parsed.append({"name": name, "phone": phone, "team": team_name,
                           "leader": value(row, "是否队长") in ("是", "队长", "Y", "y", "1"),
                           "skills": skills,
                           "area": units.get(area_code)})
    finally:
        workbook.close()
    if report.errors:
        return report
    if not parsed:
        report.errors.append("表格中没有数据行")
        return report
    with transaction.atomic():
        for team_name, unit in new_teams.items():
            teams[team_name] = Team.objects.create(name=team_name, unit=unit)
            report.teams += 1
        now = timezone.now()
        for item in parsed:
            user = User.objects.filter(phone=item["phone"]).first() or \
                User.objects.create_user(item["phone"], name=item["name"])
            volunteer, created = Volunteer.objects.get_or_create(
                user=user, defaults={"real_name": item["name"], "skills": item["skills"],
                                     "area": item["area"]})
            report.volunteers += int(created)
            team = teams[item["team"]]
            member, _ = TeamMember.objects.get_or_create(team=team, volunteer=volunteer)
            member.status, member.decided_by, member.decided_at = MemberStatus.ACTIVE, actor, now
            member.is_leader = member.is_leader or item["leader"]
            member.save()
            if item["leader"]:
                membership_add(unit=team.unit, user=user, role=VOLUNTEER_LEADER, title="志愿队长")
    return report


# --- 文明实践 点单 → 派单 → 接单 → 评单 ---------------------------------------------------------

def center_unit() -> Unit | None:
    """The county's 新时代文明实践中心 (``RONGMEI_VOLUNTEER_CENTER``, a unit code)."""
    code = getattr(settings, "RONGMEI_VOLUNTEER_CENTER", "LX-D29")
    return Unit.objects.filter(code=code).first()


def check_dispatcher(actor) -> None:
    """The 文明实践中心 dispatches: 运营, or a 志愿队长 of the center's unit."""
    check_role(actor, OPERATOR, VOLUNTEER_LEADER, message="只有文明实践中心可以派单")
    if has_role(actor, OPERATOR):
        return
    center = center_unit()
    if center is None or not can_act_in_unit(actor, center, VOLUNTEER_LEADER):
        raise PermissionDeniedError("只有文明实践中心可以派单")


def order_create(*, user, area_id, address: str, request: str = "", item_id=None,
                 now: datetime | None = None) -> ServiceOrder:
    now = now or timezone.now()
    item = None
    if item_id not in (None, ""):
        item = MenuItem.objects.filter(pk=item_id, is_active=True).first()
        if item is None:
            raise ServiceError("item_not_found", "所选服务项目不存在", field="item_id")
    request = _typed(request)
    if item is None and len(request) < 4:
        raise ServiceError("request_required", "请选择服务项目，或用至少4个字说明需要什么服务",
                           field="request")
    area = Unit.objects.filter(pk=area_id, is_active=True).first() if area_id else None
    if area is None:
        raise ServiceError("area_required", "请选择所在乡镇或社区", field="area_id")
    address = _named(address, field="address", label="服务地址")
    if not address:
        raise ServiceError("address_required", "请填写服务地址", field="address")
    # The request is read by the center and the team it is dispatched to: it passes the
    # word gate like the texts teams publish.
    _gate({"服务需求": request})
    return ServiceOrder.objects.create(resident=user, item=item, request=request[:200],
                                       area=area, address=address[:80],
                                       due_at=now + DISPATCH_WITHIN)


def _locked_order(order_id) -> ServiceOrder:
    order = (ServiceOrder.objects.select_for_update(of=("self",)).select_related("team", "item")
             .filter(pk=order_id).first())
    if order is None:
        raise NotFoundError("点单不存在")
    return order


def order_dispatch(*, actor, order_id: int, team_id: int,
                   now: datetime | None = None) -> ServiceOrder:
    check_dispatcher(actor)
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_order(order_id)
        if order.status != OrderStatus.ORDERED:
            raise ServiceError("wrong_status", f"该点单{order.get_status_display()}，不能派单",
                               status=409)
        team = Team.objects.filter(pk=team_id, is_active=True).first()
        if team is None:
            raise ServiceError("team_not_found", "所选队伍不存在", field="team_id")
        order.status, order.team, order.dispatched_at = OrderStatus.DISPATCHED, team, now
        order.due_at = now + ACCEPT_WITHIN
        order.save(update_fields=["status", "team", "dispatched_at", "due_at"])
        return order


def order_accept(*, actor, order_id: int, starts_at: datetime, ends_at: datetime,
                 capacity: int = 5, now: datetime | None = None) -> ServiceOrder:
    """The team accepts the order and schedules it as an activity of its own."""
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以接单")
    now = now or timezone.now()
    starts_at, ends_at = local_aware(starts_at), local_aware(ends_at)
    with transaction.atomic():
        order = _locked_order(order_id)
        if order.team is None:
            raise ServiceError("wrong_status", "该点单尚未派单", status=409)
        access_team(actor, order.team)
        if order.status != OrderStatus.DISPATCHED:
            raise ServiceError("wrong_status", f"该点单{order.get_status_display()}，不能接单",
                               status=409)
        label = order.item.name if order.item else "志愿服务"
        # The activity is public (volunteers sign up for it): it names the area, never the
        # resident's address or what they wrote, which stay on the order for the team.
        activity = activity_create(
            actor=actor, team_id=order.team_id, title=f"{label}（群众点单）"[:40],
            place=f"{order.area.name}（具体地址由队长告知）"[:80], starts_at=starts_at,
            ends_at=ends_at, capacity=capacity,
            description=f"应{order.area.name}群众点单提供{label}。服务对象的地址和需求"
                        f"由队长告知报名参加的志愿者，请勿外传。", now=now)
        order.status, order.activity, order.accepted_at = OrderStatus.ACCEPTED, activity, now
        order.due_at = ends_at
        order.save(update_fields=["status", "activity", "accepted_at", "due_at"])
        return order


def order_decline(*, actor, order_id: int, reason: str,
                  now: datetime | None = None) -> ServiceOrder:
    """The team cannot take it: back to the center to dispatch again."""
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以退单")
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_order(order_id)
        if order.team is None:
            raise ServiceError("wrong_status", "该点单尚未派单", status=409)
        access_team(actor, order.team)
        if order.status != OrderStatus.DISPATCHED:
            raise ServiceError("wrong_status", "只能退回待接单的点单", status=409)
        if not (reason or "").strip():
            raise ServiceError("reason_required", "请填写退单原因", field="reason")
        order.status, order.team, order.note = OrderStatus.ORDERED, None, reason.strip()[:100]
        order.due_at = now + DISPATCH_WITHIN
        order.save(update_fields=["status", "team", "note", "due_at"])
        return order


def order_finish(*, actor, order_id: int, now: datetime | None = None) -> ServiceOrder:
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以办结点单")
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_order(order_id)
        if order.team is None:
            raise ServiceError("wrong_status", "该点单尚未派单", status=409)
        access_team(actor, order.team)
        if order.status != OrderStatus.ACCEPTED:
            raise ServiceError("wrong_status", "只能办结已接单的点单", status=409)
        if order.activity and now < order.activity.starts_at:
            raise ServiceError("not_started", "服务还没有开始，不能办结", status=409)
        order.status, order.done_at, order.due_at = OrderStatus.DONE, now, now + RATE_WITHIN
        order.save(update_fields=["status", "done_at", "due_at"])
        return order


def order_rate(*, user, order_id: int, rating: int, comment: str = "",
               now: datetime | None = None) -> ServiceOrder:
    with transaction.atomic():
        order = _locked_order(order_id)
        if order.resident_id != getattr(user, "pk", None):
            raise NotFoundError("点单不存在")
        if order.status != OrderStatus.DONE:
            raise ServiceError("wrong_status", "服务完成后才能评价" if order.status !=
                               OrderStatus.RATED else "您已评价过", status=409)
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ServiceError("invalid_rating", "请打1至5星", field="rating")
        order.status, order.rating = OrderStatus.RATED, rating
        order.rating_comment = (comment or "").strip()[:100]
        order.save(update_fields=["status", "rating", "rating_comment"])
        return order


# --- 三长 service records ---------------------------------------------------------------------

def grid_service_record(*, actor, unit_id, kind: str, description: str, served_on,
                        now: datetime | None = None) -> GridService:
    check_role(actor, GRID_LEADER, message="只有三长可以登记服务")
    now = now or timezone.now()
    unit = access_unit(actor, unit_id, GRID_LEADER)
    if kind not in GridServiceKind.values:
        raise ServiceError("invalid_kind", "请选择服务类型", field="kind")
    description = _typed(description)
    if len(description) < 4:
        raise ServiceError("description_required", "请用至少4个字说明服务内容",
                           field="description")
    today = timezone.localdate(now)
    if served_on is None or served_on > today:
        raise ServiceError("invalid_date", "服务日期不能晚于今天", field="served_on")
    if served_on < today - GRID_SERVICE_LOOKBACK:
        # Confirmed services pay 三长服务 points: a record from years ago is not a
        # service to confirm now.
        raise ServiceError("invalid_date", f"只能登记{GRID_SERVICE_LOOKBACK.days}天内的服务",
                           field="served_on")
    return GridService.objects.create(leader=actor, unit=unit, kind=kind,
                                      description=description[:200], served_on=served_on)


def grid_service_decide(*, actor, service_id: int, approve: bool, note: str = "",
                        now: datetime | None = None) -> GridService:
    """The township confirms (or turns down) a 三长 service; confirmed pays 三长服务 once."""
    from rongmei.points.services import points_earn

    check_role(actor, UNIT_ADMIN, UNIT_HANDLER, message="只有乡镇工作人员可以确认三长服务")
    now = now or timezone.now()
    with transaction.atomic():
        service = (GridService.objects.select_for_update(of=("self",)).select_related("unit", "leader")
                   .filter(pk=service_id).first())
        if service is None:
            raise NotFoundError("服务记录不存在")
        township = service.unit.get_parent() if service.unit.depth > 2 else service.unit
        access_unit(actor, township, UNIT_ADMIN, UNIT_HANDLER)
        if service.leader_id == actor.pk:
            raise PermissionDeniedError("不能确认自己登记的服务")
        if service.status != GridServiceStatus.PENDING:
            raise ServiceError("already_decided", "该服务记录已处理", status=409)
        if not approve and not (note or "").strip():
            raise ServiceError("note_required", "不通过时请填写原因", field="note")
        service.status = GridServiceStatus.CONFIRMED if approve else GridServiceStatus.REJECTED
        service.decided_by, service.decided_at = actor, now
        service.decision_note = (note or "").strip()[:100]
        if approve:
            entry = points_earn(user=service.leader, action=SANZHANG_SERVICE,
                                source=f"grid_service:{service.pk}",
                                key=f"{SANZHANG_SERVICE}:{service.pk}", now=now)
            service.points_paid = entry.amount if entry is not None else 0
        service.save(update_fields=["status", "decided_by", "decided_at", "decision_note",
                                    "points_paid"])
        return service


# --- showcase posts (活动风采) ------------------------------------------------------------------

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def post_submit(*, actor, activity_id: int, body: str, photo=None) -> ShowcasePost:
    """The team's leader posts photos and words from an activity; the center reviews."""
    check_role(actor, VOLUNTEER_LEADER, message="只有志愿队长可以发布活动风采")
    activity = Activity.objects.select_related("team").filter(pk=activity_id).first()
    if activity is None:
        raise NotFoundError("活动不存在")
    access_team(actor, activity.team)
    body = _typed(body)
    if not 10 <= len(body) <= 500:
        raise ServiceError("body_length", "活动风采须为10至500字", field="body")
    _gate({"活动风采": body})
    if photo is not None:  # decoded and re-encoded without metadata, under a server name
        photo = clean_image(photo, field="photo", max_bytes=MAX_PHOTO_BYTES)
    post = ShowcasePost(activity=activity, author=actor, body=body)
    if photo is not None:
        post.photo.save(photo.name, photo, save=False)
    post.save()
    return post


def post_review(*, actor, post_id: int, approve: bool, note: str = "",
                now: datetime | None = None) -> ShowcasePost:
    """The center (运营) publishes or turns down a showcase post."""
    check_role(actor, OPERATOR, message="只有运营人员可以审核活动风采")
    now = now or timezone.now()
    with transaction.atomic():
        post = ShowcasePost.objects.select_for_update().filter(pk=post_id).first()
        if post is None:
            raise NotFoundError("活动风采不存在")
        if post.status != PostStatus.PENDING:
            raise ServiceError("already_reviewed", "该条已审核", status=409)
        if not approve and not (note or "").strip():
            raise ServiceError("note_required", "不通过时请填写原因", field="note")
        if approve and scan_blocked(post.body):  # the dictionary may have grown since
            raise ServiceError("sensitive_words", "活动风采含有不允许发布的内容，不能发布")
        post.status = PostStatus.APPROVED if approve else PostStatus.REJECTED
        post.reviewed_by, post.reviewed_at = actor, now
        post.review_note = (note or "").strip()[:100]
        post.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        return post


def scan_blocked(text: str) -> bool:
    from rongmei.wordgate.services import scan

    return scan(text).blocked
