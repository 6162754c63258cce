"""志愿者之家 in the resident app: activities, sign-up, the volunteer card, check-in by the
leader's code, the leader's pages, 点单, honour boards, certificates and 三长 services.

Every write goes through ``services`` (the leader's actions check role, unit and team there);
a refusal is shown as the service's Chinese message and nothing changes.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_POST

from rongmei.core.codes import qr_svg
from rongmei.core.errors import ServiceError
from rongmei.core.moments import local_aware
from rongmei.units.models import Unit

from . import selectors, services
from .models import (
    GridService,
    GridServiceKind,
    GridServiceStatus,
    MenuItem,
    OrderStatus,
    ServiceOrder,
    Signup,
    Team,
    Volunteer,
)


def _back(request, fallback: str):
    target = request.POST.get("next") or fallback
    return redirect(target if target.startswith("/volunteers/") else fallback)


def _act(request, fallback: str, success: str, action):
    try:
        action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request, fallback)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return local_aware(parse_datetime(value))
    except ValueError:  # well-formed but no such time (02-30, 25:00)
        return None


def _day(value: str | None) -> date | None:
    """A date from the query string; ``ValueError`` for one that is not a real date
    (2026-02-30, 2026-13-01, nonsense)."""
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_date(value)  # None if malformed, ValueError if well-formed but invalid
    if parsed is None:
        raise ValueError(value)
    return parsed


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _volunteer(user) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(user=user).first()


# --- residents --------------------------------------------------------------------------------

def home_view(request):
    return render(request, "volunteers/home.html", {
        "activities": selectors.upcoming_activities()[:30],
        "volunteer": _volunteer(request.user),
        "is_leader": services.led_teams(request.user).exists(),
    })


def activity_view(request, pk: int):
    activity = selectors.activity(pk)
    if activity is None:
        raise Http404("活动不存在")
    signup = selectors.my_signup(request.user, activity)
    return render(request, "volunteers/activity.html", {
        "activity": activity, "signup": signup,
        "posts": activity.posts.filter(status="approved")[:20],
        "position": selectors.waiting_position(signup) if signup and
        signup.status == "waiting" else None,
        "volunteer": _volunteer(request.user), "now": timezone.now(),
    })


@login_required
@require_POST
def signup_view(request, pk: int):
    try:
        signup = services.signup_create(user=request.user, activity_id=pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if signup.status == "waiting":
            messages.info(request, "名额已满，您已进入候补名单，有人取消时按顺序递补")
        else:
            messages.success(request, "报名成功")
    return redirect("volunteers:activity", pk)


@login_required
@require_POST
def claim_view(request, pk: int):
    signup = Signup.objects.filter(pk=pk).only("activity_id").first()
    back = reverse("volunteers:activity", args=[signup.activity_id]) if signup else \
        reverse("volunteers:card")
    return _act(request, back, "申诉已提交，等待队长处理",
                lambda: services.hours_claim(user=request.user, signup_id=pk,
                                             minutes=_int(request.POST.get("minutes")),
                                             reason=request.POST.get("reason", "")))


@login_required
@require_POST
def claim_decide_view(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    return _act(request, request.POST.get("next") or reverse("volunteers:lead"),
                "已同意申诉，时长已确认" if approve else "已驳回申诉",
                lambda: services.hours_claim_decide(actor=request.user, signup_id=pk,
                                                    approve=approve))


@login_required
@require_POST
def cancel_view(request, pk: int):
    return _act(request, reverse("volunteers:activity", args=[pk]), "已取消报名",
                lambda: services.signup_cancel(user=request.user, activity_id=pk))


@login_required
def register_view(request):
    volunteer = _volunteer(request.user)
    error = None
    values = {"real_name": volunteer.real_name if volunteer else (request.user.name or ""),
              "skills": volunteer.skills if volunteer else "",
              "availability": volunteer.availability if volunteer else "",
              "area": str(volunteer.area_id or "") if volunteer else ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            services.volunteer_register(user=request.user, **values)
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "志愿者信息已保存")
            return redirect("volunteers:card")
    areas = Unit.objects.filter(is_active=True, kind__in=("township", "community")).order_by(
        "path")
    return render(request, "volunteers/register.html", {
        "values": values, "error": error, "volunteer": volunteer,
        "areas": [(str(u.pk), u.name) for u in areas]}, status=400 if error else 200)


@login_required
def card_view(request):
    volunteer = _volunteer(request.user)
    if volunteer is None:
        return redirect("volunteers:register")
    verify = request.build_absolute_uri(reverse("volunteers:verify", args=[volunteer.card_code]))
    return render(request, "volunteers/card.html", {
        "volunteer": volunteer, "qr": qr_svg(verify),
        "signups": selectors.my_signups(request.user)[:50],
        "memberships": volunteer.memberships.select_related("team").order_by("pk"),
    })


def verify_view(request, code: str):
    """What the card's QR opens: the volunteer's name, stars and confirmed hours."""
    volunteer = Volunteer.objects.filter(card_code=code).first()
    if volunteer is None:
        raise Http404("志愿者不存在")
    return render(request, "volunteers/verify.html", {"volunteer": volunteer})


def teams_view(request):
    volunteer = _volunteer(request.user)
    mine = dict(volunteer.memberships.values_list("team_id", "status")) if volunteer else {}
    return render(request, "volunteers/teams.html", {
        "teams": [(team, mine.get(team.pk)) for team in selectors.active_teams()[:200]],
        "volunteer": volunteer})


@login_required
@require_POST
def join_view(request, pk: int):
    return _act(request, reverse("volunteers:teams"), "已提交入队申请，等待队长审核",
                lambda: services.team_join(user=request.user, team_id=pk))


@login_required
def scan_view(request):
    """The page a volunteer's phone opens from the leader's code; the POST checks in/out."""
    token = request.POST.get("t") or request.GET.get("t", "")
    if request.method == "POST":
        try:
            signup = services.checkin_scan(user=request.user, token=token,
                                           latitude=request.POST.get("latitude") or None,
                                           longitude=request.POST.get("longitude") or None)
        except ServiceError as exc:
            return render(request, "volunteers/scan.html", {"token": token, "error": exc},
                          status=409 if exc.status == 409 else 400)
        done = "签退成功" if signup.checked_out_at else "签到成功"
        messages.success(request, done)
        return redirect("volunteers:activity", signup.activity_id)
    return render(request, "volunteers/scan.html", {"token": token})


@login_required
def certificate_view(request):
    """志愿服务证明 (PDF): confirmed hours by activity in the chosen period, free of charge."""
    from .certificate import certificate_pdf

    volunteer = _volunteer(request.user)
    if volunteer is None:
        return redirect("volunteers:register")
    try:
        start, end = (_day(request.GET.get("from")), _day(request.GET.get("to")))
    except ValueError:
        return _bad_request("证明期间的日期不正确，请按“年-月-日”填写有效日期，如 2026-03-01")
    if start and end and start > end:
        return _bad_request("证明期间的开始日期不能晚于结束日期")
    pdf = certificate_pdf(volunteer, start=start, end=end,
                          issued_on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="certificate.pdf"'
    return response


def honour_view(request):
    return render(request, "volunteers/honour.html", {
        "people": selectors.honour_people(), "teams": selectors.honour_teams()})


# --- team leaders ----------------------------------------------------------------------------

@login_required
def lead_view(request):
    teams = list(services.led_teams(request.user))
    if not teams:
        messages.error(request, "您还不是任何志愿队伍的队长")
        return redirect("volunteers:home")
    return render(request, "volunteers/lead.html", {
        "teams": teams,
        "pending": selectors.pending_members(teams),
        # upcoming ones and those of the last 30 days (hours to confirm after the end)
        "activities": selectors.led_activities(teams),
        "orders": ServiceOrder.objects.filter(team__in=teams, status__in=(
            OrderStatus.DISPATCHED, OrderStatus.ACCEPTED)).select_related("item", "area"),
    })


@login_required
@require_POST
def member_decide_view(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    return _act(request, reverse("volunteers:lead"), "已同意入队" if approve else "已拒绝",
                lambda: services.member_decide(actor=request.user, member_id=pk,
                                               approve=approve))


@login_required
@require_POST
def activity_create_view(request, team_id: int):
    post = request.POST

    def act():
        services.activity_create(
            actor=request.user, team_id=team_id, title=post.get("title", ""),
            place=post.get("place", ""), starts_at=_when(post.get("starts_at")),
            ends_at=_when(post.get("ends_at")), capacity=_int(post.get("capacity")),
            cancel_cutoff=_when(post.get("cancel_cutoff")),
            description=post.get("description", ""), requirements=post.get("requirements", ""),
            latitude=post.get("latitude") or None, longitude=post.get("longitude") or None,
            radius_m=post.get("radius_m") or None)
    return _act(request, reverse("volunteers:lead"), "活动已发布", act)


@login_required
def lead_activity_view(request, pk: int):
    activity = selectors.activity(pk)
    if activity is None:
        raise Http404("活动不存在")
    try:
        services.access_team(request.user, activity.team)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("volunteers:home")
    return render(request, "volunteers/lead_activity.html", {
        "activity": activity, "roster": selectors.roster(activity),
        "manual_modes": [("in", "补签到"), ("out", "补签退")]})


@login_required
def lead_code_view(request, pk: int):
    """The leader's phone shows the code; the page reloads itself when the code changes."""
    activity = selectors.activity(pk)
    if activity is None:
        raise Http404("活动不存在")
    mode = "out" if request.GET.get("mode") == "out" else "in"
    try:
        token, left = services.checkin_code(actor=request.user, activity_id=pk, mode=mode)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("volunteers:home")
    url = request.build_absolute_uri(reverse("volunteers:scan")) + f"?t={token}"
    return render(request, "volunteers/lead_code.html", {
        "activity": activity, "mode": mode, "qr": qr_svg(url), "token": token, "url": url,
        "refresh": max(1, left)})


@login_required
@require_POST
def post_submit_view(request, pk: int):
    back = reverse("volunteers:lead-activity", args=[pk])
    return _act(request, back, "已提交，文明实践中心审核后公开展示",
                lambda: services.post_submit(actor=request.user, activity_id=pk,
                                             body=request.POST.get("body", ""),
                                             photo=request.FILES.get("photo")))


@login_required
@require_POST
def manual_view(request, pk: int):
    signup_back = request.POST.get("next") or reverse("volunteers:lead")
    return _act(request, signup_back, "已补签",
                lambda: services.manual_check(actor=request.user, signup_id=pk,
                                              mode=request.POST.get("mode", ""),
                                              reason=request.POST.get("reason", ""),
                                              at=_when(request.POST.get("at"))))


@login_required
@require_POST
def confirm_view(request, pk: int):
    minutes = _int(request.POST.get("minutes")) if request.POST.get("minutes") else None
    return _act(request, request.POST.get("next") or reverse("volunteers:lead"),
                "时长已确认，积分已发放",
                lambda: services.hours_confirm(actor=request.user, signup_id=pk,
                                               minutes=minutes,
                                               reason=request.POST.get("reason", "")))


# --- 文明实践 点单 ---------------------------------------------------------------------------------

@login_required
def orders_view(request):
    error = None
    if request.method == "POST":
        try:
            services.order_create(user=request.user, item_id=request.POST.get("item_id"),
                                  request=request.POST.get("request", ""),
                                  area_id=_int(request.POST.get("area_id")),
                                  address=request.POST.get("address", ""))
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "点单成功，文明实践中心将在24小时内派单")
            return redirect("volunteers:orders")
    menu = MenuItem.objects.filter(is_active=True)
    return render(request, "volunteers/orders.html", {
        "menu_choices": [(str(item.pk), f"{item.name}：{item.description}" if item.description
                          else item.name) for item in menu],
        "rating_choices": [(str(n), f"{n}星") for n in range(5, 0, -1)],
        "areas": Unit.objects.filter(is_active=True, kind__in=("township", "community"))
        .order_by("path"),
        "orders": ServiceOrder.objects.filter(resident=request.user)
        .select_related("item", "team")[:30],
        "error": error, "post": request.POST if error else {},
    }, status=400 if error else 200)


@login_required
@require_POST
def order_rate_view(request, pk: int):
    return _act(request, reverse("volunteers:orders"), "感谢您的评价",
                lambda: services.order_rate(user=request.user, order_id=pk,
                                            rating=_int(request.POST.get("rating")),
                                            comment=request.POST.get("comment", "")))


def board_view(request):
    from rongmei.units.access import has_role

    board = selectors.order_board()
    dispatcher = request.user.is_authenticated and has_role(request.user, "operator",
                                                            "volunteer_leader")
    return render(request, "volunteers/board.html", {
        **board, "dispatcher": dispatcher,
        "teams": Team.objects.filter(is_active=True).order_by("name") if dispatcher else []})


@login_required
@require_POST
def order_dispatch_view(request, pk: int):
    return _act(request, reverse("volunteers:board"), "已派单",
                lambda: services.order_dispatch(actor=request.user, order_id=pk,
                                                team_id=_int(request.POST.get("team_id"))))


@login_required
@require_POST
def order_accept_view(request, pk: int):
    return _act(request, reverse("volunteers:lead"), "已接单并发布为活动",
                lambda: services.order_accept(
                    actor=request.user, order_id=pk,
                    starts_at=_when(request.POST.get("starts_at")),
                    ends_at=_when(request.POST.get("ends_at")),
                    capacity=_int(request.POST.get("capacity")) or 5))


@login_required
@require_POST
def order_decline_view(request, pk: int):
    return _act(request, reverse("volunteers:lead"), "已退单",
                lambda: services.order_decline(actor=request.user, order_id=pk,
                                               reason=request.POST.get("reason", "")))


@login_required
@require_POST
def order_finish_view(request, pk: int):
    return _act(request, reverse("volunteers:lead"), "已办结，等待群众评价",
                lambda: services.order_finish(actor=request.user, order_id=pk))


# --- 三长 -----------------------------------------------------------------------------------

@login_required
def grid_view(request):
    from rongmei.units.access import has_role, unit_scope

    user = request.user
    is_grid = has_role(user, "grid_leader")
    confirmable = unit_scope(user, "unit_admin", "unit_handler")
    if request.method == "POST":
        try:
            services.grid_service_record(
                actor=user, unit_id=_int(request.POST.get("unit_id")),
                kind=request.POST.get("kind", ""),
                description=request.POST.get("description", ""),
                served_on=parse_date(request.POST.get("served_on", "") or "") or None)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记，等待乡镇确认")
        return redirect("volunteers:grid")
    pending = GridService.objects.none()
    if confirmable.exists():
        pending = (GridService.objects.filter(status=GridServiceStatus.PENDING,
                                              unit__in=confirmable)
                   .select_related("leader", "unit")[:100])
    return render(request, "volunteers/grid.html", {
        "is_grid": is_grid,
        "units": unit_scope(user, "grid_leader") if is_grid else [],
        "kinds": GridServiceKind.choices, "today": date.today(),
        "mine": GridService.objects.filter(leader=user).select_related("unit")[:50],
        "pending": pending})


@login_required
@require_POST
def grid_decide_view(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    return _act(request, reverse("volunteers:grid"), "已确认，积分已发放" if approve else "已退回",
                lambda: services.grid_service_decide(actor=request.user, service_id=pk,
                                                     approve=approve,
                                                     note=request.POST.get("note", "")))
