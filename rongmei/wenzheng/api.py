"""问政 API: categories, the anonymised public board and league table, similar cases,
submitting (multipart, idempotency key required), my cases (add info, rate, reopen),
我也遇到/关注, abuse reports, and the unit workspace (签收, contact, progress, 退单, 延期,
reply). The newsroom's triage and review happen in the console; Open311 GeoReport v2 for
other systems is ``open311.py`` at /open311/."""

from __future__ import annotations

from datetime import datetime

from ninja import Form, Router, Schema
from pydantic import Field, StrictBool

from rongmei.core import ratelimit
from rongmei.core.api import (
    AUTH,
    NONBLANK,
    NONSPACE,
    ErrorOut,
    FormBool,
    Id,
    JsonInt,
    Offset,
    at_least,
    documented,
)
from rongmei.core.errors import NotFoundError
from rongmei.core.http import client_ip

from . import measures, selectors, services
from .models import ContactPreference, FollowKind, Satisfaction
from .services.common import LIVE
from .services.handling import CONTACT_METHODS, MAX_EXTENSION_DAYS

router = Router(tags=["问政"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut, 429: ErrorOut}


class CategoryOut(Schema):
    id: int
    name: str
    description: str
    fields: list


class TimelineOut(Schema):
    at: datetime
    text: str


class PublicCaseOut(Schema):
    id: int
    receipt_no: str
    title: str
    description: str
    category: str
    category_id: int
    status: str
    status_label: str
    area: str
    latitude: float | None
    longitude: float | None
    author: str
    created_at: datetime
    reply: str
    reply_unit: str
    answered_at: datetime | None
    same_count: int
    follow_count: int
    timeline: list[TimelineOut]


class MyCaseOut(Schema):
    id: int
    receipt_no: str
    title: str
    status: str
    status_label: str
    info_request: str
    reply: str
    reply_unit: str
    reopen_count: int
    can_rate: bool
    can_reopen: bool
    created_at: datetime
    timeline: list[TimelineOut]


def _text(max_length: int, *, min_length: int = 1, description: str = ""):
    """Plain text the services refuse when empty (after trimming) or longer than
    ``max_length``; ``min_length`` counts characters as the services do."""
    pattern = NONBLANK if min_length <= 1 else at_least(min_length)
    return documented(maxLength=max_length, pattern=pattern, description=description)


def _optional_text(max_length: int, description: str = ""):
    return documented("", maxLength=max_length, description=description)


class CaseIn(Schema):
    category_id: Id = Field(description="问政分类（/categories 的 id）")
    title: str = _text(60, description="标题")
    description: str = _text(2000, min_length=10, description="问题描述（10–2000字）")
    idempotency_key: str = documented(maxLength=64, pattern=NONSPACE,
                                      description="客户端生成的防重复提交标识")
    address: str = _optional_text(120, "地址（地址、定位、所在村三者至少其一）")
    latitude: str = documented("", pattern=r"^(-?([1-8]?[0-9](\.[0-9]{1,8})?|90(\.0{1,8})?))?$",
                          description="纬度（与经度同时提供）")
    longitude: str = documented("", pattern=(r"^(-?((1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]{1,8})?"
                                        r"|180(\.0{1,8})?))?$"),
                           description="经度（与纬度同时提供）")
    area_id: Id = Field(None, description="所在乡镇或村（社区）（/api/v1/units 的 id）")
    wants_public: FormBool = True
    contact_preference: str = documented(ContactPreference.SMS.value,
                                         enum=ContactPreference.values)
    contact_name: str = _optional_text(20, "联系人")
    contact_phone: str = documented("", pattern=r"^([0-9]{7,12})?$", description="联系电话（数字）")


class InfoIn(Schema):
    text: str = _text(1000, description="补充内容")


class ReplyIn(Schema):
    text: str = _text(3000, min_length=10, description="答复内容（10–3000字）")


class ReopenIn(Schema):
    reason: str = _text(300, description="重新办理的理由")


class AbuseIn(Schema):
    reason: str = _text(200, description="举报理由")


class ReturnIn(Schema):
    reason: str = _text(300, description="退单理由")


class RateIn(Schema):
    satisfaction: str = documented(enum=Satisfaction.values)
    resolved: StrictBool
    comment: str = _optional_text(300, "评价")


class FollowIn(Schema):
    kind: str = documented(enum=FollowKind.values)


class CaseActionOut(Schema):
    ok: bool
    created: bool = False


class LeagueOut(Schema):
    unit: str
    cases: int
    response_rate: float | None
    resolve_rate: float | None
    satisfaction_rate: float | None
    rated_share: float | None
    on_time_reply_rate: float | None


class AssignmentOut(Schema):
    id: int
    case_id: int
    receipt_no: str
    title: str
    description: str
    category: str
    address: str
    unit: str
    role: str
    status: str
    case_state: str
    created_at: datetime


class ContactIn(Schema):
    method: str = documented(enum=list(CONTACT_METHODS))
    note: str = _text(500, description="联系情况")


class ProgressIn(Schema):
    note: str = _text(500, description="办理进展")
    public: StrictBool = False


class ExtensionIn(Schema):
    days: JsonInt = documented(minimum=1, maximum=MAX_EXTENSION_DAYS, description="延期的工作日数")
    reason: str = _text(300, description="延期理由")


class ContactOut(Schema):
    name: str
    phone: str
    masked: bool


def _mine(case) -> dict:
    events = selectors.public_timeline(case)
    return {"id": case.pk, "receipt_no": case.receipt_no, "title": case.title,
            "status": case.public_status, "status_label": case.get_public_status_display(),
            "info_request": case.info_request, "reply": case.reply_text,
            "reply_unit": case.reply_unit.name if case.reply_unit_id else "",
            "reopen_count": case.reopen_count, "can_rate": case.state == "answered",
            "can_reopen": case.state in ("answered", "closed") and case.reopen_count < 2,
            "created_at": case.created_at,
            "timeline": [{"at": e.created_at, "text": e.public_text or e.get_kind_display()}
                         for e in events]}


def _assignment(a) -> dict:
    live = a.status in LIVE  # the address is for the unit holding the case
    return {"id": a.pk, "case_id": a.case_id, "receipt_no": a.case.receipt_no,
            "title": a.case.title, "description": a.case.description,
            "category": a.case.category.name, "address": a.case.address if live else "",
            "unit": a.unit.name,
            "role": a.role, "status": a.status, "case_state": a.case.state,
            "created_at": a.created_at}


@router.get("/categories", response=list[CategoryOut], summary="问政分类（含附加字段）")
def categories(request):
    return [{"id": c.pk, "name": c.name, "description": c.description, "fields": c.fields}
            for c in selectors.categories()]


@router.get("/cases", response=list[PublicCaseOut], summary="问政广场（已匿名）")
def board(request, category: Id | None = None, unit: Id | None = None,
          status: str | None = None, offset: Offset = 0):
    cases = selectors.public_cases(category_id=category, unit_id=unit, status=status)
    return [selectors.public_case_dict(c, with_timeline=False)
            for c in cases[max(offset, 0):max(offset, 0) + 50]]


@router.get("/cases/{case_id}", response={200: PublicCaseOut, **ERRORS}, summary="公开问政详情")
def board_case(request, case_id: Id):
    case = selectors.public_case(case_id)
    if case is None:
        raise NotFoundError("问政不存在或未公开")
    return selectors.public_case_dict(case)


SIMILAR_PER_MINUTE = 30  # per account when signed in; four times that per address (shared NAT)


@router.get("/similar", response={200: list[PublicCaseOut], **ERRORS},
            summary="相似问政（输入时提示；按公开的脱敏文字匹配，限频）")
def similar(request, q: str = ""):
    checks = [("wz-similar-ip", client_ip(request) or "-", SIMILAR_PER_MINUTE * 4)]
    if getattr(request.user, "is_authenticated", False):
        checks.append(("wz-similar-user", str(request.user.pk), SIMILAR_PER_MINUTE))
    ratelimit.hit_all(checks, window=60, message="查询过于频繁，请稍后再试")
    return [selectors.public_case_dict(c, with_timeline=False)
            for c in selectors.similar_cases(text=q[:80])]


@router.get("/league", response=list[LeagueOut], summary="责任单位排行（不少于10件）")
def league(request):
    return [{"unit": r["label"], **{k: r[k] for k in (
        "cases", "response_rate", "resolve_rate", "satisfaction_rate", "rated_share",
        "on_time_reply_rate")}} for r in measures.league_table()]


@router.post("/mine", response={200: MyCaseOut, **ERRORS}, auth=AUTH,
             summary="提交问政（multipart；photos 多张、video 一个；同一 idempotency_key 只生成一条）")
def submit(request, payload: Form[CaseIn]):
    extra = {k[6:]: v for k, v in request.POST.items() if k.startswith("extra.")}
    video = request.FILES.get("video")
    case = services.case_submit(
        user=request.auth, category_id=payload.category_id, title=payload.title,
        description=payload.description, key=payload.idempotency_key, extra=extra,
        address=payload.address, latitude=payload.latitude or None,
        longitude=payload.longitude or None, area_id=payload.area_id,
        wants_public=payload.wants_public, contact_preference=payload.contact_preference,
        contact_name=payload.contact_name, contact_phone=payload.contact_phone,
        photos=request.FILES.getlist("photos"), video=video)
    return _mine(case)


@router.get("/mine", response=list[MyCaseOut], auth=AUTH, summary="我的问政")
def mine(request):
    return [_mine(c) for c in selectors.my_cases(user=request.auth)[:100]]


@router.get("/mine/{case_id}", response={200: MyCaseOut, **ERRORS}, auth=AUTH,
            summary="我的问政详情与进度")
def mine_detail(request, case_id: Id):
    case = selectors.my_case(user=request.auth, pk=case_id)
    if case is None:
        raise NotFoundError("问政不存在")
    return _mine(case)


@router.post("/mine/{case_id}/info", response={200: MyCaseOut, **ERRORS}, auth=AUTH,
             summary="补充信息（可附照片）")
def add_info(request, case_id: Id, payload: Form[InfoIn]):
    return _mine(services.case_add_info(user=request.auth, case_id=case_id, text=payload.text,
                                        photos=request.FILES.getlist("photos")))


@router.post("/mine/{case_id}/rate", response={200: MyCaseOut, **ERRORS}, auth=AUTH,
             summary="评价答复")
def rate(request, case_id: Id, payload: RateIn):
    rating = services.case_rate(user=request.auth, case_id=case_id,
                                satisfaction=payload.satisfaction, resolved=payload.resolved,
                                comment=payload.comment)
    return _mine(rating.case)


@router.post("/mine/{case_id}/reopen", response={200: MyCaseOut, **ERRORS}, auth=AUTH,
             summary="申请重新办理（最多两次）")
def reopen(request, case_id: Id, payload: ReopenIn):
    return _mine(services.case_reopen(user=request.auth, case_id=case_id,
                                      reason=payload.reason))


@router.post("/cases/{case_id}/follow", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="我也遇到 / 关注")
def follow(request, case_id: Id, payload: FollowIn):
    created = services.case_follow(user=request.auth, case_id=case_id, kind=payload.kind)
    return {"ok": True, "created": created}


@router.post("/cases/{case_id}/report", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="举报不当内容")
def report(request, case_id: Id, payload: AbuseIn):
    services.abuse_report(user=request.auth, case_id=case_id, reason=payload.reason)
    return {"ok": True, "created": True}


# --- unit workspace --------------------------------------------------------------------------

@router.get("/work", response=list[AssignmentOut], auth=AUTH,
            summary="承办件（责任单位办理员、三长）")
def work(request, done: bool = False):
    return [_assignment(a) for a in selectors.work_queue(user=request.auth,
                                                         include_done=done)[:200]]


@router.get("/work/{assignment_id}/contact", response={200: ContactOut, **ERRORS}, auth=AUTH,
            summary="反映人联系方式（默认脱敏；reveal=true 显示完整号码，均记录查看日志）")
def work_contact(request, assignment_id: Id, reveal: bool = False):
    from .services.common import staff_assignment

    assignment = staff_assignment(request.auth, assignment_id, lock=False)
    return services.contact_view(viewer=request.auth, case_id=assignment.case_id,
                                 reveal=reveal, reason="承办单位联系反映人")


@router.post("/work/{assignment_id}/acknowledge", response={200: AssignmentOut, **ERRORS},
             auth=AUTH, summary="签收")
def work_acknowledge(request, assignment_id: Id):
    return _assignment(services.assignment_acknowledge(actor=request.auth,
                                                       assignment_id=assignment_id))


@router.post("/work/{assignment_id}/contact", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="记录联系群众")
def work_contact_log(request, assignment_id: Id, payload: ContactIn):
    services.contact_log(actor=request.auth, assignment_id=assignment_id,
                         method=payload.method, note=payload.note)
    return {"ok": True, "created": True}


@router.post("/work/{assignment_id}/progress", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="办理进展（public=true 的经中心审核后公开）")
def work_progress(request, assignment_id: Id, payload: ProgressIn):
    services.progress_note(actor=request.auth, assignment_id=assignment_id, note=payload.note,
                           public=payload.public)
    return {"ok": True, "created": True}


@router.post("/work/{assignment_id}/return", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="申请退单")
def work_return(request, assignment_id: Id, payload: ReturnIn):
    services.return_request(actor=request.auth, assignment_id=assignment_id,
                            reason=payload.reason)
    return {"ok": True, "created": True}


@router.post("/work/{assignment_id}/extension", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="申请延期")
def work_extension(request, assignment_id: Id, payload: ExtensionIn):
    services.extension_request(actor=request.auth, assignment_id=assignment_id,
                               days=payload.days, reason=payload.reason)
    return {"ok": True, "created": True}


@router.post("/work/{assignment_id}/reply", response={200: CaseActionOut, **ERRORS}, auth=AUTH,
             summary="提交答复（中心审核后公开）")
def work_reply(request, assignment_id: Id, payload: ReplyIn):
    services.reply_draft(actor=request.auth, assignment_id=assignment_id, text=payload.text)
    return {"ok": True, "created": True}
