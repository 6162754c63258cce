"""Writes: upload an asset (checked with ffprobe before anything is stored) and retry a
failed transcode. The transcode itself is ``transcoding.transcode_asset``, run by the task
``tasks.transcode_media`` once the upload's transaction has committed."""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core import ffmpeg
from rongmei.core.errors import ServiceError
from rongmei.core.roles import UNIT_ADMIN
from rongmei.units.access import access_unit, check_role

from .models import MediaAsset, MediaKind, MediaStatus
from .selectors import MEDIA_ROLES, NO_MEDIA_RIGHTS, access_asset, is_center_media_staff

logger = logging.getLogger(__name__)

VIDEO_EXTENSIONS = ("mp4", "mov", "m4v", "mkv", "webm", "avi", "flv", "3gp", "ts", "mpg",
                    "mpeg", "wmv")
AUDIO_EXTENSIONS = ("mp3", "m4a", "aac", "wav", "flac", "ogg", "oga", "opus", "amr", "wma")
# Browsers send a specific type for common formats and application/octet-stream for the
# rest; what the file really is, ffprobe decides.
GENERIC_CONTENT_TYPES = {"application/octet-stream", "binary/octet-stream", ""}
VIDEO_CONTENT_TYPES = {"application/mp4", "application/x-matroska", "application/vnd.rn-realmedia"}
AUDIO_CONTENT_TYPES = {"application/ogg", "application/mp4"}
MIN_DURATION_SECONDS = 0.2
# A processing asset whose worker died is stuck; after this long it may be retried.
STUCK_AFTER = timedelta(hours=2)
KIND_NAMES = {MediaKind.VIDEO: "视频", MediaKind.AUDIO: "音频"}


def _max_bytes(kind: str) -> int:
    megabytes = (settings.MEDIA_MAX_VIDEO_MB if kind == MediaKind.VIDEO
                 else settings.MEDIA_MAX_AUDIO_MB)
    return int(megabytes) * 1024 * 1024


def _extension(name: str) -> str:
    suffix = Path(name or "").suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,5}", suffix) else ""


@contextmanager
def _local_path(upload, suffix: str):
    """A path on disk holding the upload (Django keeps big uploads in a temp file already)."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name
    upload.seek(0)


def validate_media_upload(*, kind: str, upload, field: str = "file") -> ffmpeg.ProbeResult:
    """Check size, extension, declared type and — with ffprobe — that the file really holds
    a video (or audio) stream. Raise ServiceError with a Chinese message otherwise."""
    if kind not in MediaKind.values:
        raise ServiceError("invalid_kind", "请选择视频或音频", field="kind")
    name = KIND_NAMES[kind]
    if upload is None or not getattr(upload, "size", 0):
        raise ServiceError("file_required", f"请选择要上传的{name}文件", field=field)
    limit = _max_bytes(kind)
    if upload.size > limit:
        raise ServiceError("file_too_large",
                           f"{name}文件不能超过{limit // (1024 * 1024)}MB", field=field)
    allowed = VIDEO_EXTENSIONS if kind == MediaKind.VIDEO else AUDIO_EXTENSIONS
    extension = _extension(upload.name)
    if extension not in allowed:
        listed = "、".join(e.upper() for e in allowed)
        raise ServiceError("file_type", f"只支持以下格式的{name}文件：{listed}", field=field)
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    declared_ok = (content_type in GENERIC_CONTENT_TYPES
                   or content_type.startswith(f"{kind}/")
                   or content_type in (VIDEO_CONTENT_TYPES if kind == MediaKind.VIDEO
                                       else AUDIO_CONTENT_TYPES))
    if not declared_ok:
        raise ServiceError("file_type", f"该文件不是{name}文件，请重新选择", field=field)
    if not ffmpeg.available():
        raise ServiceError("transcoder_missing", "服务器未安装音视频处理组件（ffmpeg），暂时无法上传，"
                           "请联系技术人员", status=503)
    demuxers = ffmpeg.VIDEO_DEMUXERS if kind == MediaKind.VIDEO else ffmpeg.AUDIO_DEMUXERS
    unreadable = ServiceError(
        "file_unreadable",
        f"无法识别该文件中的{name}内容：文件可能已损坏，或不是{name}文件，请检查后重新上传",
        field=field)
    with _local_path(upload, extension) as path:
        try:
            info = ffmpeg.probe(path, demuxers=demuxers)
        except ffmpeg.FFmpegError as exc:
            logger.info("upload refused by ffprobe: %s", exc.stderr_tail[-300:])
            raise unreadable from None
    has_stream = info.has_video if kind == MediaKind.VIDEO else info.has_audio
    if not has_stream:
        if kind == MediaKind.VIDEO and info.has_audio:
            raise ServiceError("no_video_stream", "该文件只有声音没有画面，请作为音频上传",
                               field=field)
        raise unreadable
    if not info.duration or info.duration < MIN_DURATION_SECONDS:
        raise ServiceError("too_short", f"{name}时长过短，无法使用", field=field)
    return info


def _clean_title(title: str) -> str:
    title = re.sub(r"[\x00-\x1f\x7f]", "", title or "")
    return " ".join(title.split())


def _enqueue_transcode(asset_id: int) -> None:
    from .tasks import transcode_media

    transaction.on_commit(lambda: transcode_media.enqueue(asset_id))


def media_upload(*, actor, kind: str, title: str, upload, unit=None) -> MediaAsset:
    """Store a checked upload as a pending asset and queue its transcode (on commit).

    Unit admins must file it under a unit in their scope; center staff may leave it blank.
    Nothing is stored when a check fails.
    """
    check_role(actor, *MEDIA_ROLES, message=NO_MEDIA_RIGHTS)
    title = _clean_title(title)
    if not title:
        raise ServiceError("title_required", "请填写标题", field="title")
    if len(title) > 120:
        raise ServiceError("title_too_long", "标题不能超过120个字", field="title")
    if unit in ("", None):
        unit = None
        if not is_center_media_staff(actor):
            raise ServiceError("unit_required", "请选择所属单位", field="unit")
    else:
        from rongmei.units.models import Unit

        if is_center_media_staff(actor):
            unit = unit if isinstance(unit, Unit) else Unit.objects.filter(pk=unit).first()
            if unit is None:
                raise ServiceError("unit_not_found", "所选单位不存在", field="unit")
        else:
            unit = access_unit(actor, unit, UNIT_ADMIN)
    return _store(kind=kind, title=title, unit=unit, uploaded_by=actor, upload=upload)


def media_accept(*, uploaded_by, kind: str, title: str, upload) -> MediaAsset:
    """An upload a capability app takes from a resident (a contest's video entry): the same
    checks, storage and transcode as ``media_upload``, filed under no unit. The app, not the
    media roles, answers for who may upload, and for not showing the asset before it is
    ready (``MediaAsset.is_ready``)."""
    title = _clean_title(title)[:120] or KIND_NAMES.get(kind, "音视频")
    return _store(kind=kind, title=title, unit=None, uploaded_by=uploaded_by, upload=upload)


def _store(*, kind: str, title: str, unit, uploaded_by, upload) -> MediaAsset:
    info = validate_media_upload(kind=kind, upload=upload)
    extension = _extension(upload.name)
    asset = MediaAsset(kind=kind, title=title, unit=unit, uploaded_by=uploaded_by,
                       original_name=Path(upload.name).name[-255:], original_size=upload.size,
                       duration=info.duration, width=info.width, height=info.height)
    upload.seek(0)
    asset.original.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    try:
        with transaction.atomic():
            asset.full_clean()
            asset.save()
            _enqueue_transcode(asset.pk)
    except Exception:
        asset.original.delete(save=False)  # never leave a file no row points at
        raise
    return asset


def media_retry(*, actor, asset_id: int) -> MediaAsset:
    """Queue a failed (or stuck) asset for another transcode."""
    with transaction.atomic():
        asset = access_asset(actor, asset_id)
        asset = MediaAsset.objects.select_for_update().get(pk=asset.pk)
        stuck = (asset.status == MediaStatus.PROCESSING and asset.processing_started_at
                 and asset.processing_started_at < timezone.now() - STUCK_AFTER)
        if asset.status != MediaStatus.FAILED and not stuck:
            raise ServiceError("not_retryable", "只有转码失败的音视频可以重新转码")
        asset.status = MediaStatus.PENDING
        asset.progress = 0
        asset.error = ""
        asset.error_detail = ""
        asset.save(update_fields=["status", "progress", "error", "error_detail", "updated_at"])
        _enqueue_transcode(asset.pk)
    return asset


def media_rename(*, actor, asset_id: int, title: str) -> MediaAsset:
    asset = access_asset(actor, asset_id)
    title = _clean_title(title)
    if not title:
        raise ServiceError("title_required", "请填写标题", field="title")
    if len(title) > 120:
        raise ServiceError("title_too_long", "标题不能超过120个字", field="title")
    asset.title = title
    asset.save(update_fields=["title", "updated_at"])
    return asset

