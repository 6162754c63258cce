"""音视频 API: the transcode status of one asset, for staff tools outside the console.
Same rules as the console: media rights, and a unit admin only sees their units' assets."""

from __future__ import annotations

from ninja import Router, Schema

from rongmei.core.api import AUTH, ErrorOut, Id

from . import selectors

router = Router(tags=["音视频"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class AssetStatusOut(Schema):
    id: int
    kind: str
    status: str
    status_display: str
    progress: int
    error: str
    duration: float | None
    width: int | None
    height: int | None
    playback_url: str
    hls_url: str
    poster_url: str


@router.get("/assets/{asset_id}", auth=AUTH, response={200: AssetStatusOut, **ERRORS},
            summary="音视频转码状态")
def asset_status(request, asset_id: Id):
    return selectors.status_payload(selectors.access_asset(request.auth, asset_id))
