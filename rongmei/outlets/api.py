"""Outlets API: the delivery records of one story, for staff who may see the 分发队列
(the newsroom's editor screens and native tools)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from rongmei.core.api import AUTH, ErrorOut
from rongmei.units.access import check_role

from . import services

router = Router(tags=["分发"])


class DeliveryOut(Schema):
    id: int
    story_key: str
    version: int
    outlet_id: int
    outlet_name: str
    outlet_kind: str
    action: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    note: str
    remote_id: str
    remote_url: str
    created_at: datetime
    finished_at: datetime | None


@router.get("/deliveries", auth=AUTH, response={200: list[DeliveryOut], 401: ErrorOut,
                                                403: ErrorOut})
def story_deliveries(request, story_key: str):
    """每个渠道的分发状态（编辑及以上）。"""
    check_role(request.auth, *services.QUEUE_ROLES)
    return [
        DeliveryOut(id=d.pk, story_key=d.story_key, version=d.snapshot.version,
                    outlet_id=d.outlet_id, outlet_name=d.outlet.name, outlet_kind=d.outlet.kind,
                    action=d.action, status=d.status, attempts=d.attempts,
                    next_attempt_at=d.next_attempt_at, last_error=d.last_error, note=d.note,
                    remote_id=d.remote_id, remote_url=d.remote_url, created_at=d.created_at,
                    finished_at=d.finished_at)
        for d in services.deliveries_for(story_key[:100])
    ]
