"""What an event is on the wire, and the compact line it becomes in the buffer.

The beacon (``static/analytics/beacon.js``) and native apps POST
``{"device": "<id>.<signature>", "events": [{"name": "page_view", "channel": "yaowen", "page": 12,
"value": 0, "code": "JG01"}, ...]}`` — at most ``MAX_EVENTS`` events. The server adds the
receive time and, for a signed-in person, the account; it trusts nothing else the client says
about time or identity, and takes only device ids it signed itself (``devices``); the line
keeps the id without its signature. Each event becomes one JSON array line::

    [received_ms, name, device, user_id|null, channel, page|null, value, code]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from rongmei.core.errors import ServiceError

from . import devices
from .models import EventName

MAX_EVENTS = 20
MAX_BODY = 8 * 1024
MAX_SECONDS = 4 * 3600  # one report of read/watch time; more is a stuck tab
MAX_PAGE_ID = 2**53
NAMES = frozenset(EventName.values)
TIMED = frozenset({EventName.READ_TIME, EventName.WATCH_TIME})
DEVICE_RE = devices.SIGNED_RE  # only ids this server issued and signed
SLUG_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")


def _invalid(message: str, field: str) -> ServiceError:
    return ServiceError("invalid_event", message, field=field, status=422)


def _text(raw, pattern: re.Pattern, field: str) -> str:
    if raw in (None, ""):
        return ""
    if not isinstance(raw, str) or not pattern.match(raw):
        raise _invalid("事件字段格式不正确", field)
    return raw


def parse(payload, *, user_id: int | None, received_ms: int) -> list[bytes]:
    """Validate a beacon payload and return its buffer lines (refusing the whole payload on
    any bad event, so a client bug is seen rather than half-counted)."""
    if not isinstance(payload, dict):
        raise ServiceError("malformed_request", "请求内容不是 JSON 对象", status=400)
    raw_device = payload.get("device")
    if not isinstance(raw_device, str) or not devices.SIGNED_RE.match(raw_device):
        raise _invalid("设备标识格式不正确", "device")
    device = devices.verified(raw_device)
    if device is None:  # well formed, but not an id this server signed
        raise ServiceError("invalid_device", "设备标识无效，请重新获取（POST /analytics/device）",
                           field="device", status=403)
    items = payload.get("events")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_EVENTS:
        raise _invalid(f"每次须上报1到{MAX_EVENTS}个事件", "events")
    lines = []
    user = "null" if user_id is None else int(user_id)
    for item in items:
        if not isinstance(item, dict):
            raise _invalid("事件必须是 JSON 对象", "events")
        name = item.get("name")
        if name not in NAMES:
            raise _invalid("未知的事件类型", "events.name")
        page = item.get("page")
        if page is not None and (type(page) is not int or not 0 < page < MAX_PAGE_ID):
            raise _invalid("页面编号不正确", "events.page")
        value = item.get("value", 0)
        if type(value) is not int or value < 0:
            raise _invalid("时长必须是非负整数（秒）", "events.value")
        value = min(value, MAX_SECONDS) if name in TIMED else 0
        channel = _text(item.get("channel"), SLUG_RE, "events.channel")
        code = _text(item.get("code"), CODE_RE, "events.code")
        # Every text field has passed a pattern of [A-Za-z0-9_-] (or is a known name), so the
        # line is written directly: the same JSON json.dumps would give, at a fraction of it.
        lines.append(f'[{received_ms},"{name}","{device}",{user},"{channel}",'
                     f'{"null" if page is None else page},{value},"{code}"]'.encode())
    return lines


@dataclass(frozen=True)
class Line:
    received_at: datetime
    day: date
    name: str
    device: str
    user_id: int | None
    channel: str
    page_id: int | None
    value: int
    code: str


_TZ: dict[str, ZoneInfo] = {}


def decode(raw: bytes) -> Line | None:
    """A buffer line back into its fields; None for a line that cannot be read (dropped)."""
    try:
        ms, name, device, user_id, channel, page, value, code = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if name not in NAMES or not isinstance(ms, int):
        return None
    tz = _TZ.get(settings.TIME_ZONE) or _TZ.setdefault(settings.TIME_ZONE,
                                                       ZoneInfo(settings.TIME_ZONE))
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return Line(moment, moment.astimezone(tz).date(), name, device, user_id, channel or "",
                page, int(value or 0), code or "")
