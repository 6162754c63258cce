"""志愿者之家 API, mounted at /api/v1/volunteers/: activities, sign-up, check-in by the
leader's rotating code, hours, the 文明实践 点单 loop and 三长 service records.

Errors are ``{code, message, field}`` with a Chinese message (core.api handlers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from rongmei.core.api import AUTH, NONBLANK, ErrorOut, Id, at_least, documented

from . import selectors, services
from .models import star_level

router = Router(tags=["志愿者之家"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}


class VolunteerActivityOut(Schema):
    id: int
    title: str
    team: str
    unit: str
    place: str
    latitude: float | None
    longitude: float | None
    radius_m: int | None
    starts_at: datetime
    ends_at: datetime
    cancel_cutoff: datetime
    capacity: int
    taken: int
    requirements: str
    description: str


def _activity(a) -> dict:
    return {"id": a.pk, "title": a.title, "team": a.team.name, "unit": a.team.unit.name,
            "place": a.place,
            "latitude": float(a.latitude) if a.latitude is not None else None,
            "longitude": float(a.longitude) if a.longitude is not None else None,
            "radius_m": a.radius_m, "starts_at": a.starts_at, "ends_at": a.ends_at,
            "cancel_cutoff": a.cancel_cutoff, "capacity": a.capacity, "taken": a.taken,
            "requirements": a.requirements, "description": a.description}


class VolunteerSignupOut(Schema):
    id: int
    activity_id: int
    status: str
    status_label: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int
    hours_status: str
    points_paid: int


def _signup(s) -> dict:
    return {"id": s.pk, "activity_id": s.activity_id, "status": s.status,
            "status_label": s.get_status_display(), "checked_in_at": s.checked_in_at,
            "checked_out_at": s.checked_out_at, "minutes": s.minutes,
            "hours_status": s.hours_status, "points_paid": s.points_paid}


class VolunteerRegisterIn(Schema):
    real_name: str = documented(maxLength=20, pattern=at_least(2),
                                description="真实姓名（2至20个字）")
    skills: str = Field("", max_length=100)
    area_id: int | None = Field(None, description="所在乡镇或社区（单位 id）")
    availability: str = Field("", max_length=60)


class VolunteerCardOut(Schema):
    real_name: str
    card_code: str
    hours: float
    stars: int


def _volunteer(v) -> dict:
    return {"real_name": v.real_name, "card_code": v.card_code,
            "hours": round(v.total_minutes / 60, 2), "stars": star_level(v.total_minutes)}


class VolunteerScanIn(Schema):
    token: str = Field(max_length=80)
    latitude: float | None = None
    longitude: float | None = None


class VolunteerActivityIn(Schema):
    title: str = Field(max_length=40)
    place: str = Field(max_length=80)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=1000)
    cancel_cutoff: datetime | None = None
    description: str = Field("", max_length=2000)
    requirements: str = Field("", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int | None = None


class VolunteerCodeOut(Schema):
    token: str
    url: str
    expires_in: int


class VolunteerManualIn(Schema):
    mode: Literal["in", "out"] = Field(description="in 补签到 / out 补签退")
    reason: str = documented(maxLength=100, pattern=NONBLANK, description="补签原因")
    at: datetime | None = None


class VolunteerConfirmIn(Schema):
    minutes: int | None = Field(None, ge=0, description="修改后的时长（分钟），须填写原因")
    reason: str = Field("", max_length=100)


class VolunteerOrderIn(Schema):
    item_id: int | None = None
    request: str = Field("", max_length=200)
    area_id: int
    address: str = documented(maxLength=80, pattern=NONBLANK, description="服务地址")


class VolunteerOrderOut(Schema):
    id: int
    status: str
    status_label: str
    item: str | None
    request: str
    team: str | None
    due_at: datetime
    activity_id: int | None
    rating: int | None


def _order(o) -> dict:
    return {"id": o.pk, "status": o.status, "status_label": o.get_status_display(),
            "item": o.item.name if o.item else None, "request": o.request,
            "team": o.team.name if o.team else None, "due_at": o.due_at,
            "activity_id": o.activity_id, "rating": o.rating}


class VolunteerDispatchIn(Schema):
    team_id: int


class VolunteerAcceptIn(Schema):
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(5, ge=1, le=1000)


class VolunteerReasonIn(Schema):
    reason: str = Field(max_length=100)


class VolunteerRateIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=100)


class VolunteerGridServiceIn(Schema):
    unit_id: int
    kind: str
    description: str = Field(max_length=200)
    served_on: date


class VolunteerDecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=100)


class VolunteerGridServiceOut(Schema):
    id: int
    status: str
    points_paid: int


# --- residents --------------------------------------------------------------------------------

@router.get("/activities", response=list[VolunteerActivityOut], summary="近期志愿活动")
def activities(request):
    return [_activity(a) for a in selectors.upcoming_activities()[:100]]


@router.get("/activities/{activity_id}", response={200: VolunteerActivityOut, 404: ErrorOut},
            summary="活动详情")
def activity_detail(request, activity_id: Id):
    from rongmei.core.errors import NotFoundError

    found = selectors.activity(activity_id)
    if found is None:
        raise NotFoundError("活动不存在")
    return _activity(found)


@router.post("/me", response={200: VolunteerCardOut, **ERRORS}, auth=AUTH,
             summary="注册或更新志愿者信息")
def register(request, payload: VolunteerRegisterIn):
    data = payload.dict()
    data["area"] = data.pop("area_id")
    return _volunteer(services.volunteer_register(user=request.auth, **data))


@router.get("/me", response={200: VolunteerCardOut, **ERRORS}, auth=AUTH,
            summary="我的志愿者证（累计时长、星级）")
def me(request):
    return _volunteer(services.volunteer_of(request.auth))


@router.post("/teams/{team_id}/join", response={200: dict, **ERRORS}, auth=AUTH,
             summary="申请加入队伍（队长审核）")
def join(request, team_id: Id):
    member = services.team_join(user=request.auth, team_id=team_id)
    return {"id": member.pk, "status": member.status}


@router.post("/activities/{activity_id}/signup", response={200: VolunteerSignupOut, **ERRORS},
             auth=AUTH, summary="报名（满员进入候补）")
def signup(request, activity_id: Id):
    return _signup(services.signup_create(user=request.auth, activity_id=activity_id))


@router.post("/activities/{activity_id}/cancel", response={200: VolunteerSignupOut, **ERRORS},
             auth=AUTH, summary="取消报名（截止时间前）")
def cancel(request, activity_id: Id):
    return _signup(services.signup_cancel(user=request.auth, activity_id=activity_id))


@router.post("/checkin", response={200: VolunteerSignupOut, **ERRORS}, auth=AUTH,
             summary="扫队长的签到码/签退码")
def checkin(request, payload: VolunteerScanIn):
    return _signup(services.checkin_scan(user=request.auth, token=payload.token,
                                         latitude=payload.latitude,
                                         longitude=payload.longitude))


@router.post("/orders", response={200: VolunteerOrderOut, **ERRORS}, auth=AUTH,
             summary="文明实践点单")
def order_create(request, payload: VolunteerOrderIn):
    return _order(services.order_create(user=request.auth, **payload.dict()))


@router.post("/orders/{order_id}/rate", response={200: VolunteerOrderOut, **ERRORS}, auth=AUTH,
             summary="评单")
def order_rate(request, order_id: Id, payload: VolunteerRateIn):
    return _order(services.order_rate(user=request.auth, order_id=order_id,
                                      rating=payload.rating, comment=payload.comment))


# --- team leaders ------------------------------------------------------------------------------

@router.post("/members/{member_id}/approve", response={200: dict, **ERRORS}, auth=AUTH,
             summary="队长：同意入队")
def member_approve(request, member_id: Id):
    member = services.member_decide(actor=request.auth, member_id=member_id, approve=True)
    return {"id": member.pk, "status": member.status}


@router.post("/members/{member_id}/reject", response={200: dict, **ERRORS}, auth=AUTH,
             summary="队长：拒绝入队")
def member_reject(request, member_id: Id):
    member = services.member_decide(actor=request.auth, member_id=member_id, approve=False)
    return {"id": member.pk, "status": member.status}


@router.post("/teams/{team_id}/activities", response={200: VolunteerActivityOut, **ERRORS}, auth=AUTH,
             summary="队长：发布活动")
def activity_create(request, team_id: Id, payload: VolunteerActivityIn):
    return _activity(services.activity_create(actor=request.auth, team_id=team_id,
                                              **payload.dict()))


@router.get("/activities/{activity_id}/code", response={200: VolunteerCodeOut, **ERRORS}, auth=AUTH,
            summary="队长：当前签到码/签退码（每30秒更新）")
def activity_code(request, activity_id: Id, mode: str = "in"):
    from django.urls import reverse

    token, left = services.checkin_code(actor=request.auth, activity_id=activity_id, mode=mode)
    url = request.build_absolute_uri(reverse("volunteers:scan")) + f"?t={token}"
    return {"token": token, "url": url, "expires_in": left}


@router.post("/signups/{signup_id}/manual", response={200: VolunteerSignupOut, **ERRORS}, auth=AUTH,
             summary="队长：手工补签到/签退（须填原因）")
def manual(request, signup_id: Id, payload: VolunteerManualIn):
    return _signup(services.manual_check(actor=request.auth, signup_id=signup_id,
                                         mode=payload.mode, reason=payload.reason,
                                         at=payload.at))


@router.post("/signups/{signup_id}/confirm", response={200: VolunteerSignupOut, **ERRORS}, auth=AUTH,
             summary="队长：确认服务时长（发放志愿服务积分，仅一次）")
def confirm(request, signup_id: Id, payload: VolunteerConfirmIn):
    return _signup(services.hours_confirm(actor=request.auth, signup_id=signup_id,
                                          minutes=payload.minutes, reason=payload.reason))


@router.post("/orders/{order_id}/dispatch", response={200: VolunteerOrderOut, **ERRORS}, auth=AUTH,
             summary="文明实践中心：派单")
def order_dispatch(request, order_id: Id, payload: VolunteerDispatchIn):
    return _order(services.order_dispatch(actor=request.auth, order_id=order_id,
                                          team_id=payload.team_id))


@router.post("/orders/{order_id}/accept", response={200: VolunteerOrderOut, **ERRORS}, auth=AUTH,
             summary="队长：接单并排期为活动")
def order_accept(request, order_id: Id, payload: VolunteerAcceptIn):
    return _order(services.order_accept(actor=request.auth, order_id=order_id,
                                        starts_at=payload.starts_at, ends_at=payload.ends_at,
                                        capacity=payload.capacity))


@router.post("/orders/{order_id}/decline", response={200: VolunteerOrderOut, **ERRORS}, auth=AUTH,
             summary="队长：退单（回到待派单）")
def order_decline(request, order_id: Id, payload: VolunteerReasonIn):
    return _order(services.order_decline(actor=request.auth, order_id=order_id,
                                         reason=payload.reason))


@router.post("/orders/{order_id}/finish", response={200: VolunteerOrderOut, **ERRORS}, auth=AUTH,
             summary="队长：服务完成")
def order_finish(request, order_id: Id):
    return _order(services.order_finish(actor=request.auth, order_id=order_id))


@router.get("/orders/board", response=dict, summary="点单看板：各队伍、乡镇的数量与超时")
def order_board(request):
    board = selectors.order_board()
    return {"teams": board["teams"], "townships": board["townships"],
            "overdue": len(board["overdue"])}


# --- 三长 -------------------------------------------------------------------------------------

@router.post("/grid-services", response={200: VolunteerGridServiceOut, **ERRORS}, auth=AUTH,
             summary="三长：登记服务")
def grid_service_record(request, payload: VolunteerGridServiceIn):
    service = services.grid_service_record(actor=request.auth, **payload.dict())
    return {"id": service.pk, "status": service.status, "points_paid": service.points_paid}


@router.post("/grid-services/{service_id}/decide", response={200: VolunteerGridServiceOut, **ERRORS},
             auth=AUTH, summary="乡镇：确认三长服务（发放三长服务积分）")
def grid_service_decide(request, service_id: Id, payload: VolunteerDecideIn):
    service = services.grid_service_decide(actor=request.auth, service_id=service_id,
                                           approve=payload.approve, note=payload.note)
    return {"id": service.pk, "status": service.status, "points_paid": service.points_paid}


# --- 活动风采 ----------------------------------------------------------------------------------

class VolunteerPostIn(Schema):
    body: str = Field(max_length=500)


class VolunteerReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=100)


class VolunteerPostOut(Schema):
    id: int
    status: str
    body: str


@router.post("/activities/{activity_id}/posts", response={200: VolunteerPostOut, **ERRORS}, auth=AUTH,
             summary="队长：提交活动风采（过敏感词，审核后公开）")
def post_submit(request, activity_id: Id, payload: VolunteerPostIn):
    post = services.post_submit(actor=request.auth, activity_id=activity_id, body=payload.body)
    return {"id": post.pk, "status": post.status, "body": post.body}


@router.post("/posts/{post_id}/review", response={200: VolunteerPostOut, **ERRORS}, auth=AUTH,
             summary="运营：审核活动风采")
def post_review(request, post_id: Id, payload: VolunteerReviewIn):
    post = services.post_review(actor=request.auth, post_id=post_id, approve=payload.approve,
                                note=payload.note)
    return {"id": post.pk, "status": post.status, "body": post.body}


# --- 时长申诉 ---------------------------------------------------------------------------------

class VolunteerClaimIn(Schema):
    minutes: int = Field(ge=1, le=720)
    reason: str = Field(max_length=100)


@router.post("/signups/{signup_id}/claim", response={200: VolunteerSignupOut, **ERRORS}, auth=AUTH,
             summary="志愿者：申诉时长/申请补录（确认前）")
def claim(request, signup_id: Id, payload: VolunteerClaimIn):
    return _signup(services.hours_claim(user=request.auth, signup_id=signup_id,
                                        minutes=payload.minutes, reason=payload.reason))


@router.post("/signups/{signup_id}/claim/decide", response={200: VolunteerSignupOut, **ERRORS},
             auth=AUTH, summary="队长：处理时长申诉（同意即按申诉时长确认并发放积分）")
def claim_decide(request, signup_id: Id, payload: VolunteerDecideIn):
    return _signup(services.hours_claim_decide(actor=request.auth, signup_id=signup_id,
                                               approve=payload.approve))
