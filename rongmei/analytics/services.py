"""Writes of the 数据 app: collecting events (no SQL), 渠道码, settings-free report import.

Staff services check the role first through ``rongmei.units.access``: the dashboards are for
总编辑 (the center's director), 运营 and 管理员.
"""

from __future__ import annotations

import hashlib
import json
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rongmei.core.errors import RateLimitedError, ServiceError, validation_error_from_django
from rongmei.core.roles import ADMINISTRATOR, DIRECTOR, OPERATOR
from rongmei.units.access import access_unit, check_role

from . import buffer, events
from .models import CampaignKind, ChannelCode

READERS = (DIRECTOR, OPERATOR, ADMINISTRATOR)  # who reads the dashboards
MANAGERS = (OPERATOR, ADMINISTRATOR)  # who makes 渠道码 and imports reports


def now_ms() -> int:
    """The receive time given to events (the client's clock is never trusted)."""
    return int(time.time() * 1000)


def client_key(address: str | None) -> str:
    """What limits are keyed on for a client address (never the address itself)."""
    return hashlib.blake2b((address or "-").encode(), digest_size=8).hexdigest()


def issue_device(*, address: str | None) -> str:
    """A new signed anonymous device id, within the address's daily allowance."""
    from . import devices

    return devices.issue(client_key=client_key(address))


def collect(*, payload, user=None, address: str | None = None) -> int:
    """Accept a beacon's events: validate, then one append to the buffer — no SQL. ``user``
    is the signed-in person (their id goes with the events), ``address`` the client's."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    lines = events.parse(payload, user_id=user_id, received_ms=now_ms())
    who = client_key(address)
    appended = buffer.append(lines, client_key=who)
    if appended == buffer.OVER_LIMIT:
        raise RateLimitedError("上报过于频繁，请稍后再试", retry_after=60)
    if appended == buffer.FULL:
        raise ServiceError("buffer_full", "统计暂不可用，请稍后再试", status=503)
    return appended


def parse_body(body: bytes):
    if len(body) > events.MAX_BODY:
        raise ServiceError("payload_too_large", "上报内容过大", status=413)
    try:
        return json.loads(body or b"null")
    except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
        raise ServiceError("malformed_request", "请求内容不是有效的 JSON", status=400) from None


def channel_code_create(*, actor, code: str, name: str, kind: str = CampaignKind.OTHER,
                        unit=None, event_day=None) -> ChannelCode:
    check_role(actor, *MANAGERS)
    if unit is not None:
        unit = access_unit(actor, unit, OPERATOR)
    item = ChannelCode(code=code.strip(), name=name.strip(), kind=kind, unit=unit,
                       event_day=event_day, created_by=actor)
    try:
        item.full_clean()
    except ValidationError as exc:
        raise validation_error_from_django(exc, code="invalid_channel_code") from None
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ServiceError("duplicate_channel_code", "这个渠道码已经存在", field="code") from None
    return item
