"""Reads: which media assets a staff member may see, and one asset checked for access.

Center staff with media rights (reporters, editors, reviewers, operators, administrators)
see every asset; a unit admin (分端管理员) sees the assets of the units in their scope only.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.core.roles import (
    ADMINISTRATOR,
    CHIEF_EDITOR,
    DIRECTOR,
    EDITOR,
    OPERATOR,
    REPORTER,
    UNIT_ADMIN,
)
from rongmei.units.access import check_role, has_role, unit_scope

from .models import MediaAsset, MediaStatus

CENTER_MEDIA_ROLES = (REPORTER, EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR, ADMINISTRATOR)
MEDIA_ROLES = CENTER_MEDIA_ROLES + (UNIT_ADMIN,)
NO_MEDIA_RIGHTS = "此操作仅限有音视频权限的工作人员（记者、编辑、主编、总编辑、分端管理员、运营、管理员）"


def can_use_media(user) -> bool:
    return has_role(user, *MEDIA_ROLES)


def is_center_media_staff(user) -> bool:
    return has_role(user, *CENTER_MEDIA_ROLES)


def assets_visible_to(user) -> QuerySet[MediaAsset]:
    assets = MediaAsset.objects.select_related("poster", "unit", "uploaded_by")
    if is_center_media_staff(user):
        return assets
    if has_role(user, UNIT_ADMIN):
        return assets.filter(unit__in=unit_scope(user, UNIT_ADMIN))
    return assets.none()


def assets_for_console(*, user, kind: str | None = None, status: str | None = None,
                       query: str = "") -> QuerySet[MediaAsset]:
    assets = assets_visible_to(user)
    if kind:
        assets = assets.filter(kind=kind)
    if status:
        assets = assets.filter(status=status)
    if query:
        assets = assets.filter(title__icontains=query)
    return assets.order_by("-created_at", "-pk")


def assets_for_chooser(*, user, kind: str) -> QuerySet[MediaAsset]:
    """What a page editor may attach: ready or still processing, of one kind."""
    return assets_visible_to(user).filter(
        kind=kind, status__in=(MediaStatus.READY, MediaStatus.PROCESSING)
    ).order_by("-created_at", "-pk")


def access_asset(user, asset_or_id) -> MediaAsset:
    """The asset if ``user`` may see and act on it; raise PermissionDenied/NotFound otherwise."""
    check_role(user, *MEDIA_ROLES, message=NO_MEDIA_RIGHTS)
    asset_id = asset_or_id.pk if isinstance(asset_or_id, MediaAsset) else asset_or_id
    asset = assets_visible_to(user).filter(pk=asset_id).first()
    if asset is None:
        if MediaAsset.objects.filter(pk=asset_id).exists():
            raise PermissionDeniedError("您无权查看其他单位的音视频")
        raise NotFoundError("音视频不存在或已删除")
    return asset


def status_payload(asset: MediaAsset) -> dict:
    """What the console's progress poller reads (also the API's shape)."""
    return {
        "id": asset.pk, "kind": asset.kind, "status": asset.status,
        "status_display": asset.get_status_display(), "progress": asset.progress,
        "error": asset.error, "duration": asset.duration, "width": asset.width,
        "height": asset.height, "playback_url": asset.playback_url, "hls_url": asset.hls_url,
        "poster_url": asset.poster_url,
    }
