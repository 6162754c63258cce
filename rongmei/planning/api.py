"""策划指挥 API: 爆料 and 我的爆料 for residents; the tip desk, 问政转线索, 报题 and 选题会,
派单 and the assignee's accept/decline/progress/hand-in; the dispatch board's JSON."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo

from rongmei.core.api import AUTH, NONBLANK, ErrorOut, Id, documented
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.hostile_input import INT64_MAX
from rongmei.units.access import check_role

from . import dispatch, events, selectors, services
from .models import Assignment, Coverage, CoverageKind, Duty, Event, EventKind, Outlet, Tip, Topic

router = Router(tags=["策划指挥"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


def _text(max_length: int, description: str):
    """Text the services refuse when blank or longer than ``max_length`` (``_text`` in
    services.py), stated in the document; the services answer with their Chinese 400."""
    return documented(maxLength=max_length, pattern=NONBLANK, description=description)


def _optional_text(max_length: int, description: str):
    return documented("", maxLength=max_length, description=description)


# A coordinate is a number or a decimal string within its range (pydantic's Decimal would
# document any string, and refuse "abc" or "95" with a 422).
LATITUDE = r"^-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)$"
LONGITUDE = r"^-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)$"


def _coordinate(limit: int, pattern: str) -> dict:
    return {"anyOf": [{"type": "number", "minimum": -limit, "maximum": limit},
                      {"type": "string", "pattern": pattern}, {"type": "null"}]}


# Both coordinates or neither (services.tip_submit refuses one alone).
_BOTH_OR_NEITHER = {"anyOf": [
    {"properties": {"latitude": {"type": "null"}, "longitude": {"type": "null"}}},
    {"required": ["latitude", "longitude"],
     "properties": {"latitude": {"not": {"type": "null"}},
                    "longitude": {"not": {"type": "null"}}}},
]}


def _json_id(value, info: ValidationInfo):
    """An id in a JSON body is a JSON integer: ``true`` is not 1 (Python's bool is an int,
    and pydantic's lax mode took it), nor is "3". Refused as a 400 naming the field, in
    Chinese, like every other refusal of planning's services (the ServiceError passes
    through pydantic, which only converts ValueError and AssertionError)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ServiceError("invalid_id", f"{info.field_name}：应为正整数编号",
                           field=info.field_name)
    return value


# (Bounds before the BeforeValidator, or the document would carry them as unknown keys.)
JsonId = Annotated[int, Field(ge=1, le=INT64_MAX), BeforeValidator(_json_id)]


class TipIn(Schema):
    model_config = ConfigDict(json_schema_extra=_BOTH_OR_NEITHER)

    title: str = _text(60, "标题（最多60字）")
    body: str = _text(2000, "爆料内容（最多2000字）")
    place: str = _optional_text(100, "地点（最多100字）")
    latitude: Decimal | None = Field(None, ge=-90, le=90, description="纬度（与经度同时提供）",
                                     json_schema_extra=_coordinate(90, LATITUDE))
    longitude: Decimal | None = Field(None, ge=-180, le=180, description="经度（与纬度同时提供）",
                                      json_schema_extra=_coordinate(180, LONGITUDE))
    contact_name: str = _optional_text(20, "联系人（最多20字）")
    contact_phone: str = documented("", pattern=r"^(1[3-9][0-9]{9})?$",
                                    description="联系电话：中国大陆11位手机号，可留空（不会自动使用账号手机号）")
    idempotency_key: str = documented("", maxLength=64,
                                      description="提交标识（可选）：同一标识重复提交只生成一条爆料")


class MyTipOut(Schema):
    id: int
    title: str
    status: str
    outcome: str = Field(description="处理结果（不采用时附原因）")
    created_at: datetime


class UnitTipIn(Schema):
    title: str = _text(60, "标题（最多60字）")
    body: str = _text(2000, "线索内容（最多2000字）")
    place: str = _optional_text(100, "地点（最多100字）")
    unit_id: JsonId | None = Field(None, description="报送单位（分端管理员须选本单位）")


class DeskTipOut(Schema):
    id: int
    source: str
    title: str
    body: str
    place: str
    status: str
    contact: str = Field(description="脱敏后的联系方式；完整号码用 contact 接口查看（留痕）")
    unit: str | None
    wenzheng_receipt: str
    topic_id: int | None
    created_at: datetime
    photos: list[str] = Field(description="图片地址（仅爆料人和编辑部可打开）")
    videos: list[str] = Field(description="视频地址（仅爆料人和编辑部可打开）")


class TriageIn(Schema):
    decision: Literal["adopt", "merge", "reject"]
    note: str = Field("", max_length=500)
    merge_into_id: JsonId | None = None
    topic_id: JsonId | None = None
    planned_date: date | None = None


class TipContactIn(Schema):
    reason: str = Field("", max_length=120)


class TipContactOut(Schema):
    name: str
    phone: str


class DeskQuery(Schema):
    status: str = Field("new", pattern="^(new|adopted|merged|rejected|)$")
    limit: int = Field(50, ge=1, le=100)


class TopicIn(Schema):
    title: str = Field(max_length=200)
    angle: str = Field(max_length=5000)
    sources: str = Field("", max_length=5000)
    outlets: list[Outlet] = Field(default_factory=lambda: [Outlet.APP], max_length=7,
                                  description="计划发布渠道（至少一个，默认客户端）")
    planned_date: date
    unit_id: JsonId | None = None


class TopicReviewIn(Schema):
    decision: Literal["approve", "return", "merge"]
    note: str = Field("", max_length=500)
    merge_into_id: JsonId | None = None


class PlanningAssignmentBrief(Schema):
    id: int
    duty: str
    who: str
    status: str
    starts_at: datetime
    ends_at: datetime
    late: bool = Field(description="逾期交稿（截止后交稿）")
    cancel_reason: str


class TopicOut(Schema):
    id: int
    title: str
    angle: str
    sources: str
    outlets: list[str]
    planned_date: date
    status: str
    review_note: str
    assignments: list[PlanningAssignmentBrief]


class TopicQuery(Schema):
    # A string, not a date: pydantic would read a bare number as a day of 1970.
    # "format: date" says what the pattern cannot: a day of the calendar (02-30 is none);
    # empty is today.
    day: str = Field("", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="日期，如 2026-07-15",
                     json_schema_extra={"anyOf": [{"format": "date"}, {"maxLength": 0}]})
    span: str = Field("day", pattern="^(day|week)$")


class AssignmentIn(Schema):
    duty: Duty
    assignee_id: JsonId | None = None
    resource_id: JsonId | None = None
    starts_at: datetime
    ends_at: datetime
    place: str = Field("", max_length=200)
    note: str = Field("", max_length=500)


class PlanningAssignmentOut(PlanningAssignmentBrief):
    topic_id: int
    topic: str
    place: str
    note: str
    story_id: int | None
    progress: list[str]


class DeclineIn(Schema):
    reason: str = Field(max_length=500)


class AssignmentProgressIn(Schema):
    text: str = Field(max_length=500)


class HandInIn(Schema):
    story_id: JsonId


class AssignmentCancelIn(Schema):
    reason: str = _text(200, "取消原因（最多200字，承接人会看到）")


class HandInResultOut(PlanningAssignmentOut):
    credits: str = Field(description="稿件署名（来自派单）")


class PlanningEventIn(Schema):
    title: str = _text(60, "事件名称（最多60字）")
    kind: EventKind = EventKind.ACTIVITY
    starts_at: datetime
    ends_at: datetime
    place: str = _optional_text(100, "地点（最多100字）")
    description: str = _optional_text(1000, "说明（最多1000字）")


class CoverageIn(Schema):
    kind: CoverageKind
    outlets: list[Outlet] = Field(default_factory=lambda: [Outlet.APP], max_length=7,
                                  description="发布渠道（至少一个，默认客户端）")
    note: str = _optional_text(200, "报道要求（最多200字）")


class CoverageOut(Schema):
    id: int
    kind: str
    outlets: list[str]
    note: str
    topic_id: int | None = Field(description="立项后的选题（可派单）")


class EventOut(Schema):
    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str
    description: str
    coverages: list[CoverageOut]


class BoardOut(Schema):
    at: str
    topics: list[dict]
    assignments: list[dict]
    on_job: list[dict]
    tips_new: int
    events: list[dict] = Field(description="今日策划日历事件及报道形式")
    in_review: list[dict]
    published_today: list[dict]
    live_rooms: list[dict]


def _days(filters: TopicQuery) -> tuple[date, date]:
    """The first and last day a ``?day=&span=`` query asks for (empty day: today)."""
    from django.utils import timezone

    try:
        day = date.fromisoformat(filters.day) if filters.day else timezone.localdate()
    except ValueError:
        raise ServiceError("invalid_date", "日期格式不正确", field="day") from None
    return (day, day) if filters.span == "day" else selectors.week_of(day)


def _tip(tip_id) -> Tip:
    tip = Tip.objects.select_related("unit").filter(pk=tip_id).first()
    if tip is None:
        raise NotFoundError("线索不存在")
    return tip


def _topic(topic_id) -> Topic:
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise NotFoundError("选题不存在")
    return topic


def _assignment(assignment_id) -> Assignment:
    row = Assignment.objects.select_related("topic", "assignee", "resource").filter(
        pk=assignment_id).first()
    if row is None:
        raise NotFoundError("派单不存在")
    return row


def _my_tip(tip: Tip) -> dict:
    return {"id": tip.pk, "title": tip.title, "status": tip.status, "outcome": tip.outcome,
            "created_at": tip.created_at}


def _desk_tip(tip: Tip) -> dict:
    contact = " ".join(x for x in (tip.masked_name, tip.masked_phone) if x)
    return {"id": tip.pk, "source": tip.source, "title": tip.title, "body": tip.body,
            "place": tip.place, "status": tip.status, "contact": contact,
            "unit": tip.unit.name if tip.unit else None,
            "wenzheng_receipt": tip.wenzheng_receipt, "topic_id": tip.topic_id,
            "created_at": tip.created_at,
            "photos": [reverse("planning:tip_photo", args=[p.pk]) for p in tip.photos.all()],
            "videos": [reverse("planning:tip_video", args=[v.pk]) for v in tip.videos.all()]}


def _brief(a: Assignment) -> dict:
    return {"id": a.pk, "duty": a.duty, "who": a.who, "status": a.status,
            "starts_at": a.starts_at, "ends_at": a.ends_at, "late": a.is_late,
            "cancel_reason": a.cancel_reason}


def _assignment_out(a: Assignment) -> dict:
    return {**_brief(a), "topic_id": a.topic_id, "topic": a.topic.title, "place": a.place,
            "note": a.note, "story_id": a.story_id,
            "progress": [u.text for u in a.updates.all()]}


def _coverage_out(c: Coverage) -> dict:
    return {"id": c.pk, "kind": c.kind, "outlets": c.outlets, "note": c.note,
            "topic_id": c.topic_id}


def _event_out(e: Event) -> dict:
    return {"id": e.pk, "title": e.title, "kind": e.kind, "starts_at": e.starts_at,
            "ends_at": e.ends_at, "place": e.place, "description": e.description,
            "coverages": [_coverage_out(c) for c in e.coverages.all()]}


def _event(event_id) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFoundError("事件不存在")
    return event


def _topic_out(t: Topic) -> dict:
    return {"id": t.pk, "title": t.title, "angle": t.angle, "sources": t.sources,
            "outlets": t.outlets, "planned_date": t.planned_date, "status": t.status,
            "review_note": t.review_note, "assignments": [_brief(a) for a in t.assignments.all()]}


# --- residents -----------------------------------------------------------------------------

@router.post("/tips", response={201: MyTipOut, **ERRORS}, auth=AUTH,
             summary="爆料（图片请用网页表单上传；联系方式不公开；同一提交标识只生成一条）")
def send_tip(request, data: TipIn):
    tip = services.tip_submit(sender=request.auth, **data.dict())
    return Status(201, _my_tip(tip))


@router.get("/tips/mine", response=list[MyTipOut], auth=AUTH, summary="我的爆料及处理结果")
def my_tips(request):
    return [_my_tip(t) for t in selectors.my_tips(request.auth)[:50]]


# --- the desk ------------------------------------------------------------------------------

@router.get("/desk/tips", response={200: list[DeskTipOut], 403: ErrorOut}, auth=AUTH,
            summary="线索台（联系方式脱敏）")
def desk_tips(request, filters: Query[DeskQuery]):
    check_role(request.auth, *services.NEWSDESK)
    return [_desk_tip(t) for t in selectors.tip_desk(status=filters.status)[:filters.limit]]


@router.post("/desk/tips", response={201: DeskTipOut, **ERRORS}, auth=AUTH,
             summary="报送线索（单位或编辑部）")
def report_tip(request, data: UnitTipIn):
    tip = services.tip_report(actor=request.auth, **data.dict())
    return Status(201, _desk_tip(tip))


@router.post("/desk/tips/from-wenzheng/{int:case_id}", response={201: DeskTipOut, **ERRORS},
             auth=AUTH, summary="问政转线索")
def tip_from_case(request, case_id: Id):
    return Status(201, _desk_tip(services.tip_from_wenzheng(actor=request.auth,
                                                            case_id=case_id)))


@router.post("/desk/tips/from-comment/{int:comment_id}", response={201: DeskTipOut, **ERRORS},
             auth=AUTH, summary="评论转线索（评论审核人员、编辑部）")
def tip_from_comment(request, comment_id: Id):
    return Status(201, _desk_tip(services.tip_from_comment(actor=request.auth,
                                                           comment_id=comment_id)))


@router.post("/desk/tips/{int:tip_id}/triage", response={200: DeskTipOut, **ERRORS},
             auth=AUTH, summary="线索处理：采用、合并、不采用")
def triage_tip(request, tip_id: Id, data: TriageIn):
    check_role(request.auth, *services.NEWSDESK)  # before telling whether the tip exists
    tip = services.tip_triage(actor=request.auth, tip=_tip(tip_id), **data.dict())
    return _desk_tip(tip)


@router.post("/desk/tips/{int:tip_id}/contact", response={200: TipContactOut, **ERRORS},
             auth=AUTH, summary="查看爆料人联系方式（策划调度，留痕）")
def tip_contact(request, tip_id: Id, data: TipContactIn):
    check_role(request.auth, *services.CONTACT_ROLES,
               message="只有策划调度可以查看爆料人联系方式")
    return services.tip_contact(viewer=request.auth, tip=_tip(tip_id), reason=data.reason)


@router.get("/topics", response={200: list[TopicOut], 400: ErrorOut, 403: ErrorOut}, auth=AUTH,
            summary="选题列表（按日或按周）")
def topics(request, filters: Query[TopicQuery]):
    check_role(request.auth, *services.PROPOSERS)
    start, end = _days(filters)
    return [_topic_out(t) for t in selectors.topics_for(request.auth, start, end)[:200]]


@router.post("/topics", response={201: TopicOut, **ERRORS}, auth=AUTH, summary="报题")
def propose(request, data: TopicIn):
    topic = services.topic_propose(actor=request.auth, **data.dict())
    return Status(201, _topic_out(topic))


@router.post("/topics/{int:topic_id}/review", response={200: TopicOut, **ERRORS}, auth=AUTH,
             summary="选题审核：通过、退回、合并")
def review(request, topic_id: Id, data: TopicReviewIn):
    check_role(request.auth, *services.NEWSDESK)
    return _topic_out(services.topic_review(actor=request.auth, topic=_topic(topic_id),
                                            **data.dict()))


@router.post("/topics/{int:topic_id}/assignments", response={201: PlanningAssignmentOut, **ERRORS},
             auth=AUTH, summary="派单（人员或车辆器材，不可重复占用）")
def assign(request, topic_id: Id, data: AssignmentIn):
    check_role(request.auth, *services.NEWSDESK)
    row = dispatch.assignment_create(actor=request.auth, topic=_topic(topic_id),
                                     **data.dict())
    return Status(201, _assignment_out(row))


@router.get("/events", response={200: list[EventOut], 400: ErrorOut, 403: ErrorOut},
            auth=AUTH, summary="策划日历（按日或按周）")
def event_calendar(request, filters: Query[TopicQuery]):
    check_role(request.auth, *services.PROPOSERS)
    start, end = _days(filters)
    return [_event_out(e) for e in selectors.events_between(start, end)[:200]]


@router.post("/events", response={201: EventOut, **ERRORS}, auth=AUTH,
             summary="登记事件（会议、节会、活动）")
def event_create(request, data: PlanningEventIn):
    return Status(201, _event_out(events.event_create(actor=request.auth, **data.dict())))


@router.post("/events/{int:event_id}/coverages", response={200: EventOut, **ERRORS},
             auth=AUTH, summary="报道计划（文字、图片、视频、直播，按渠道）")
def coverage_plan(request, event_id: Id, data: CoverageIn):
    check_role(request.auth, *services.NEWSDESK)
    event = _event(event_id)
    events.coverage_plan(actor=request.auth, event=event, **data.dict())
    return _event_out(event)


@router.post("/coverages/{int:coverage_id}/topic", response={201: TopicOut, **ERRORS},
             auth=AUTH, summary="报道计划立项（成为已通过的选题，可派单）")
def coverage_staff(request, coverage_id: Id):
    check_role(request.auth, *services.NEWSDESK)
    coverage = Coverage.objects.filter(pk=coverage_id).first()
    if coverage is None:
        raise NotFoundError("报道计划不存在")
    return Status(201, _topic_out(events.coverage_staff(actor=request.auth,
                                                        coverage=coverage)))


@router.get("/board", response={200: BoardOut, 403: ErrorOut}, auth=AUTH,
            summary="指挥调度看板数据（轮询）")
def board(request):
    check_role(request.auth, *services.NEWSDESK)
    return selectors.board()


@router.post("/assignments/{int:assignment_id}/cancel",
             response={200: PlanningAssignmentOut, **ERRORS}, auth=AUTH,
             summary="取消派单（派单编辑或策划调度，须填原因，通知承接人）")
def cancel(request, assignment_id: Id, data: AssignmentCancelIn):
    check_role(request.auth, *services.NEWSDESK)  # before telling whether it exists
    row = dispatch.assignment_cancel(actor=request.auth, assignment=_assignment(assignment_id),
                                     reason=data.reason)
    return _assignment_out(row)


@router.post("/assignments/{int:assignment_id}/release",
             response={200: PlanningAssignmentOut, **ERRORS}, auth=AUTH,
             summary="归还车辆器材（提前结束预订）")
def release(request, assignment_id: Id):
    check_role(request.auth, *services.NEWSDESK)
    row = dispatch.resource_release(actor=request.auth, assignment=_assignment(assignment_id))
    return _assignment_out(row)


# --- the assignee --------------------------------------------------------------------------

@router.get("/assignments/mine", response=list[PlanningAssignmentOut], auth=AUTH, summary="我的派单")
def my_assignments(request):
    return [_assignment_out(a) for a in selectors.my_assignments(request.auth)[:100]]


@router.post("/assignments/{int:assignment_id}/accept", response={200: PlanningAssignmentOut, **ERRORS},
             auth=AUTH, summary="接单")
def accept(request, assignment_id: Id):
    row = dispatch.assignment_respond(actor=request.auth,
                                      assignment=_assignment(assignment_id), accept=True)
    return _assignment_out(row)


@router.post("/assignments/{int:assignment_id}/decline",
             response={200: PlanningAssignmentOut, **ERRORS}, auth=AUTH, summary="拒绝派单")
def decline(request, assignment_id: Id, data: DeclineIn):
    row = dispatch.assignment_respond(actor=request.auth, assignment=_assignment(assignment_id),
                                      accept=False, reason=data.reason)
    return _assignment_out(row)


@router.post("/assignments/{int:assignment_id}/progress",
             response={200: PlanningAssignmentOut, **ERRORS}, auth=AUTH, summary="反馈进展")
def progress(request, assignment_id: Id, data: AssignmentProgressIn):
    row = _assignment(assignment_id)
    dispatch.assignment_progress(actor=request.auth, assignment=row, text=data.text)
    return _assignment_out(row)


@router.post("/assignments/{int:assignment_id}/hand-in", response={200: HandInResultOut, **ERRORS},
             auth=AUTH, summary="交稿（关联稿件，署名来自派单）")
def hand_in(request, assignment_id: Id, data: HandInIn):
    row = dispatch.assignment_hand_in(actor=request.auth, assignment=_assignment(assignment_id),
                                      story_id=data.story_id)
    return {**_assignment_out(row), "credits": dispatch.credits_for(row.topic)}
