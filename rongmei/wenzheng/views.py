"""问政 H5 pages: the public board (anonymised), a case, the league table, submitting, 我的问政
(timeline, add info, rate, reopen), private attachments, and the unit workspace under
/wenzheng/work/ for 责任单位办理员 and 三长, who have no console access."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.pagecache import mark_cacheable
from rongmei.core.roles import GRID_LEADER, UNIT_HANDLER
from rongmei.core.uploads import serve_user_file
from rongmei.notices.selectors import counts as notice_counts
from rongmei.units.access import has_role
from rongmei.units.models import Unit, UnitKind

from . import measures, selectors, services
from .models import AssignmentRole, ContactPreference, PublicStatus, Satisfaction
from .services.common import LIVE, staff_assignment
from .services.handling import CONTACT_METHODS

BOARD_STATUSES = [(s, PublicStatus(s).label) for s in selectors.BOARD_STATUSES]


BOARD_PAGE_SIZE = 20


def board(request):
    def number(name):
        value = request.GET.get(name, "")
        return int(value) if value.isdecimal() else None

    status = request.GET.get("status", "")
    cases = selectors.public_cases(category_id=number("category"), unit_id=number("unit"),
                                   status=status)
    page = Paginator(cases, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    response = render(request, "wenzheng/board.html", {
        "cases": [selectors.public_case_dict(c, with_timeline=False) for c in page.object_list],
        "page": page, "filters": filters.urlencode(), "counts": selectors.board_counts(),
        "categories": selectors.categories(), "statuses": BOARD_STATUSES,
        "units": Unit.objects.filter(is_active=True).exclude(kind=UnitKind.COUNTY),
        "selected": {"category": number("category"), "unit": number("unit"), "status": status},
        "active_tab": "home"})
    if not request.user.is_authenticated:
        mark_cacheable(response, seconds=30)
    return response


def case_detail(request, pk: int):
    case = selectors.public_case(pk)
    if case is None:
        raise Http404("问政不存在或未公开")
    return render(request, "wenzheng/case.html", {"case": selectors.public_case_dict(case),
                                                  "active_tab": "home"})


def league(request):
    response = render(request, "wenzheng/league.html", {
        "rows": measures.league_table(), "min_cases": measures.MIN_CASES_FOR_RANKING,
        "active_tab": "home"})
    if not request.user.is_authenticated:
        mark_cacheable(response, seconds=300)
    return response


@login_required
@require_POST
def follow(request, pk: int):
    try:
        created = services.case_follow(user=request.user, case_id=pk,
                                       kind=request.POST.get("kind", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录，办理进展会同步给您" if created else "您已经点过了")
    return redirect("wenzheng:case", pk)


@login_required
@require_POST
def report(request, pk: int):
    try:
        services.abuse_report(user=request.user, case_id=pk,
                              reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "举报已提交，我们会尽快核实")
    return redirect("wenzheng:case", pk)


# --- submitting ---------------------------------------------------------------------------

def _areas():
    return Unit.objects.filter(is_active=True, kind__in=[UnitKind.TOWNSHIP, UnitKind.COMMUNITY])


def _submit_page(request, form, *, error=None, status=200):
    form = dict(form)
    form.setdefault("key", secrets.token_urlsafe(16))
    return render(request, "wenzheng/submit.html", {
        "form": form, "error": error, "categories": selectors.categories(), "areas": _areas(),
        "preferences": ContactPreference.choices, "active_tab": "home"}, status=status)


@login_required
def submit(request):
    if request.method != "POST":
        return _submit_page(request, {"contact_preference": ContactPreference.SMS,
                                      "wants_public": "1"})
    data = request.POST
    extra = {k[6:]: v for k, v in data.items() if k.startswith("extra.")}
    video = request.FILES.get("video")
    try:
        case = services.case_submit(
            user=request.user, category_id=data.get("category"), title=data.get("title", ""),
            description=data.get("description", ""), key=data.get("key", ""), extra=extra,
            address=data.get("address", ""), latitude=data.get("latitude") or None,
            longitude=data.get("longitude") or None, area_id=data.get("area") or None,
            wants_public=data.get("wants_public") == "1",
            contact_preference=data.get("contact_preference", ""),
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            photos=request.FILES.getlist("photos"), video=video)
    except ServiceError as exc:
        return _submit_page(request, data.dict(), error=exc, status=exc.status)
    messages.success(request, f"提交成功，受理编号 {case.receipt_no}")
    return redirect("wenzheng:mine_case", case.pk)


# --- 我的问政 ------------------------------------------------------------------------------

@login_required
def mine(request):
    return render(request, "wenzheng/mine.html", {
        "cases": selectors.my_cases(user=request.user)[:100], "active_tab": "me"})


def _mine_page(request, case, *, error=None, status=200):
    return render(request, "wenzheng/mine_case.html", {
        "case": case, "error": error, "active_tab": "me",
        "timeline": selectors.public_timeline(case),
        "promised": selectors.promised_reply(case) if case.state not in (
            "closed", "rejected", "merged", "info_timeout") else None,
        "photos": case.attachments.filter(kind="photo"),
        "satisfactions": Satisfaction.choices,
        "can_rate": case.state == "answered",
        "can_reopen": case.state in ("answered", "closed") and case.reopen_count < 2,
        "can_add_info": case.state not in ("closed", "rejected", "merged", "info_timeout"),
    }, status=status)


@login_required
def mine_case(request, pk: int):
    case = selectors.my_case(user=request.user, pk=pk)
    if case is None:
        raise Http404("问政不存在")
    if request.method != "POST":
        return _mine_page(request, case)
    action, data = request.POST.get("action", ""), request.POST
    try:
        if action == "info":
            services.case_add_info(user=request.user, case_id=pk, text=data.get("text", ""),
                                   photos=request.FILES.getlist("photos"))
            done = "补充信息已提交"
        elif action == "rate":
            services.case_rate(user=request.user, case_id=pk,
                               satisfaction=data.get("satisfaction", ""),
                               resolved=data.get("resolved", ""),
                               comment=data.get("comment", ""))
            done = "感谢您的评价"
        elif action == "reopen":
            services.case_reopen(user=request.user, case_id=pk, reason=data.get("reason", ""))
            done = "已申请重新办理"
        else:
            raise ServiceError("invalid_action", "操作无效")
    except ServiceError as exc:
        case.refresh_from_db()
        return _mine_page(request, case, error=exc, status=exc.status)
    messages.success(request, done)
    return redirect("wenzheng:mine_case", pk)


def attachment(request, pk: int):
    """A private photo or video: its citizen, or staff who may see the case (logged)."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        item, handle = services.attachment_open(viewer=request.user, attachment_id=pk)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    return serve_user_file(handle, name=item.file.name)


# --- unit workspace -------------------------------------------------------------------------

def _check_worker(request):
    if not has_role(request.user, UNIT_HANDLER, GRID_LEADER):
        raise PermissionDenied("此页面仅限责任单位办理员和三长")


@login_required
def work(request):
    _check_worker(request)
    done = request.GET.get("done") == "1"
    return render(request, "wenzheng/work.html", {
        "assignments": selectors.work_queue(user=request.user, include_done=done)[:100],
        "done": done, "counts": notice_counts(user=request.user), "active_tab": "me"})


WORK_ACTIONS = {
    "acknowledge": ("已签收", lambda u, a, d: services.assignment_acknowledge(
        actor=u, assignment_id=a)),
    "contact": ("联系记录已保存", lambda u, a, d: services.contact_log(
        actor=u, assignment_id=a, method=d.get("method", ""), note=d.get("note", ""))),
    "progress": ("办理进展已保存（申请公开的，经中心审核后公开）",
                 lambda u, a, d: services.progress_note(
                     actor=u, assignment_id=a, note=d.get("note", ""),
                     public=d.get("public") == "1")),
    "return": ("退单申请已提交，等待中心审核", lambda u, a, d: services.return_request(
        actor=u, assignment_id=a, reason=d.get("reason", ""))),
    "extension": ("延期申请已提交，等待中心审核", lambda u, a, d: services.extension_request(
        actor=u, assignment_id=a, days=d.get("days", ""), reason=d.get("reason", ""))),
    "reply": ("答复已提交，中心审核后公开", lambda u, a, d: services.reply_draft(
        actor=u, assignment_id=a, text=d.get("text", ""))),
}


@login_required
def work_item(request, pk: int):
    _check_worker(request)
    try:
        assignment = staff_assignment(request.user, pk, lock=False)
    except NotFoundError:
        raise Http404("承办记录不存在") from None
    except (PermissionDeniedError, ServiceError) as exc:
        raise PermissionDenied(exc.message) from None
    error = None
    status = 200
    contact = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "show_contact":
                contact = services.contact_view(viewer=request.user, case_id=assignment.case_id,
                                                reveal=request.POST.get("reveal") == "1",
                                                reason="承办单位联系反映人")
            elif action in WORK_ACTIONS:
                done, run = WORK_ACTIONS[action]
                run(request.user, assignment.pk, request.POST)
                messages.success(request, done)
                return redirect("wenzheng:work_item", pk)
            else:
                raise ServiceError("invalid_action", "操作无效")
        except ServiceError as exc:
            error, status = exc, exc.status
        assignment.refresh_from_db()
    case = assignment.case
    case.refresh_from_db()
    live = assignment.status in LIVE  # contacts and photos end with the assignment
    return render(request, "wenzheng/work_item.html", {
        "a": assignment, "case": case, "error": error, "contact": contact, "live": live,
        "methods": CONTACT_METHODS.items(), "is_lead": assignment.role != AssignmentRole.ASSIST,
        "events": case.events.select_related("unit").order_by("created_at", "pk"),
        "photos": case.attachments.filter(kind="photo") if live else [],
        "active_tab": "me"}, status=status)
