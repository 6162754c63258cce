"""数据 API, mounted at /api/v1/analytics/: the event beacon for native apps and
mini-programs (the H5 app posts the same body to /analytics/collect)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import AuthenticationError, HttpError

from rongmei.core.api import ErrorOut, JsonId, JsonInt, authenticate, documented
from rongmei.core.http import client_ip

from . import events, services
from .models import EventName

router = Router(tags=["数据"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


class EventIn(Schema):
    name: str = documented(enum=EventName.values, description="事件类型")
    channel: str | None = documented(None, pattern=r"^([A-Za-z0-9_-]{1,40})?$",
                                     description="栏目（频道）标识")
    page: JsonId | None = documented(None, maximum=events.MAX_PAGE_ID - 1,
                                     description="稿件或页面编号")
    value: JsonInt = documented(0, minimum=0, description="阅读/观看时长（秒），其他事件为0")
    code: str | None = documented(None, pattern=r"^([A-Za-z0-9_-]{2,32})?$",
                                  description="设备来自的渠道码")


class EventsIn(Schema):
    device: str = documented(pattern=events.DEVICE_RE.pattern,
                             description="匿名设备标识：先调用 POST /devices 领取并保存，"
                                         "只接受本服务签发的标识")
    events: list[EventIn] = documented(minItems=1, maxItems=events.MAX_EVENTS)


class AcceptedOut(Schema):
    accepted: int


class DeviceOut(Schema):
    device: str


@router.post("/devices", response={201: DeviceOut, 429: ErrorOut},
             summary="领取匿名设备标识（每台设备一次，保存后每次上报带上；每个地址每天限量）")
def device_post(request):
    return 201, {"device": services.issue_device(address=client_ip(request))}


@router.post("/events", response={202: AcceptedOut, **ERRORS},
             summary="上报使用事件（匿名设备；登录时记录账号；不写数据库，由定时任务汇总）")
def events_post(request, payload: EventsIn):
    try:
        user = authenticate(request)
    except (AuthenticationError, HttpError):
        user = None
    body = payload.dict()
    body["events"] = [{k: v for k, v in item.items() if v is not None}
                      for item in body["events"]]
    accepted = services.collect(payload=body, user=user, address=client_ip(request))
    return 202, {"accepted": accepted}
