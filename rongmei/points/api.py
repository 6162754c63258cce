"""Points API: balance with today's tasks, history, check-in. Signed-in residents only."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from rongmei.core.api import AUTH, ErrorOut

from . import selectors, services

router = Router(tags=["积分"], auth=AUTH)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ExpiringOut(Schema):
    expires_at: datetime
    points: int


class TaskOut(Schema):
    action: str
    label: str
    points: int
    daily_cap: int  # 0: no cap
    earned: int
    done: bool


class CheckinStateOut(Schema):
    checked_in: bool
    streak: int
    open: bool


class PointsOut(Schema):
    balance: int
    expiring: list[ExpiringOut]
    tasks: list[TaskOut]
    checkin: CheckinStateOut


class PointsEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: int
    balance_after: int
    action: str
    reason: str
    created_at: datetime


class HistoryOut(Schema):
    count: int
    items: list[PointsEntryOut]


class HistoryQuery(Schema):
    limit: int = Field(20, ge=1, le=selectors.HISTORY_MAX_LIMIT)
    offset: int = Field(0, ge=0)


class CheckinOut(Schema):
    points: int
    balance: int
    streak: int


@router.get("", response={200: PointsOut, **ERRORS},
            summary="我的积分：余额、即将过期、今日任务与签到")
def overview(request):
    user = request.auth
    today = selectors.today(user=user)
    return {
        "balance": selectors.balance(user=user),
        "expiring": [{"expires_at": e.expires_at, "points": e.points}
                     for e in selectors.expiring_soon(user=user)],
        "tasks": [{"action": t.action, "label": t.label, "points": t.points,
                   "daily_cap": t.daily_cap, "earned": t.earned, "done": t.done}
                  for t in today.tasks],
        "checkin": {"checked_in": today.checked_in, "streak": today.streak,
                    "open": today.checkin_open},
    }


@router.get("/history", response={200: HistoryOut, **ERRORS}, summary="积分明细（分页）")
def history(request, query: Query[HistoryQuery]):
    entries, count = selectors.history(user=request.auth, limit=query.limit,
                                       offset=query.offset)
    return {"count": count, "items": [
        {"id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "amount": e.amount,
         "balance_after": e.balance_after, "action": e.action, "reason": e.reason,
         "created_at": e.created_at} for e in entries]}


@router.post("/checkin", response={200: CheckinOut, **ERRORS}, summary="每日签到")
def checkin(request):
    entry = services.checkin(user=request.auth)
    return {"points": entry.amount, "balance": entry.balance_after,
            "streak": services.checkin_streak(
                user=request.auth, today=timezone.localtime(entry.created_at).date())}
