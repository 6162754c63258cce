"""The transcode of one asset, run by ``tasks.transcode_media``.

pending → processing → ready | failed. The claim is one conditional UPDATE, so two workers
given the same asset (or a re-run on a ready one) do nothing the second time. Work happens
in a temporary folder; outputs go to ``default_storage`` (local disk or S3) only when all of
ffmpeg's work has succeeded, and the row turns ready in one final update.

Video: ffmpeg → progressive MP4 (0–90 %), cut into HLS without re-encoding (→ 97 %), a
poster frame saved as a Wagtail image (→ 99 %). Audio: ffmpeg → AAC .m4a (0–97 %).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.core.files import File
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core import ffmpeg

from .models import MediaAsset, MediaKind, MediaStatus

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 2.0
PROGRESS_EVERY_PERCENT = 5
ERROR_VIDEO = "视频转码失败：文件可能已损坏或编码格式不受支持，请检查原文件后重新上传或重试"
ERROR_AUDIO = "音频转码失败：文件可能已损坏或编码格式不受支持，请检查原文件后重新上传或重试"
ERROR_SOURCE_MISSING = "原始文件已丢失，无法转码，请重新上传"
ERROR_INTERNAL = "转码时发生内部错误，请稍后重试；如仍失败请联系技术人员"


class ProgressReporter:
    """Writes ``progress`` for the editor's progress bar, throttled: at most one UPDATE
    every ~2 s or 5 %, whichever comes first, between ``start`` and ``end`` percent."""

    def __init__(self, asset_id: int, start: int = 0, end: int = 100, *,
                 clock=time.monotonic):
        self.asset_id = asset_id
        self.start, self.end = start, end
        self.clock = clock
        self.last_percent = start
        self.last_write = clock()
        self.writes = 0

    def span(self, start: int, end: int) -> ProgressReporter:
        self.start, self.end = start, end
        return self

    def __call__(self, fraction: float) -> None:
        percent = int(self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0))
        percent = min(percent, 99)  # 100 is written with the ready status, not before
        if percent <= self.last_percent:
            return
        now = self.clock()
        if (percent - self.last_percent < PROGRESS_EVERY_PERCENT
                and now - self.last_write < PROGRESS_EVERY_SECONDS):
            return
        self.set(percent, now=now)

    def set(self, percent: int, *, now: float | None = None) -> None:
        MediaAsset.objects.filter(pk=self.asset_id, status=MediaStatus.PROCESSING).update(
            progress=percent, updated_at=timezone.now())
        self.last_percent = percent
        self.last_write = self.clock() if now is None else now
        self.writes += 1


def claim(asset_id: int) -> bool:
    """Move a pending asset to processing; False if it is not pending (ready, failed,
    already taken by another worker, or gone)."""
    now = timezone.now()
    return bool(MediaAsset.objects.filter(pk=asset_id, status=MediaStatus.PENDING).update(
        status=MediaStatus.PROCESSING, progress=0, error="", error_detail="",
        attempts=F("attempts") + 1, processing_started_at=now, updated_at=now))


def transcode_asset(asset_id: int) -> str:
    """Transcode one asset; return its status afterwards ("" if it does not exist)."""
    if not claim(asset_id):
        status = MediaAsset.objects.filter(pk=asset_id).values_list("status", flat=True).first()
        logger.info("media %s not pending (%s): nothing to do", asset_id, status)
        return status or ""
    asset = MediaAsset.objects.get(pk=asset_id)
    reporter = ProgressReporter(asset.pk)
    saved: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="rongmei-av-") as tmp:
            folder = Path(tmp)
            source = _local_source(asset, folder)
            if asset.kind == MediaKind.VIDEO:
                result = _video(asset, source, folder, reporter, saved)
            else:
                result = _audio(asset, source, folder, reporter, saved)
        _finish(asset, result, saved)
    except ffmpeg.FFmpegError as exc:
        logger.warning("media %s transcode failed: %s", asset_id, exc)
        _fail(asset_id, ERROR_VIDEO if asset.kind == MediaKind.VIDEO else ERROR_AUDIO,
              f"{exc}\n{exc.stderr_tail}", saved)
    except FileNotFoundError as exc:
        logger.warning("media %s source missing: %s", asset_id, exc)
        _fail(asset_id, ERROR_SOURCE_MISSING, str(exc), saved)
    except Exception as exc:
        logger.exception("media %s transcode crashed", asset_id)
        _fail(asset_id, ERROR_INTERNAL, f"{type(exc).__name__}: {exc}"[-2000:], saved)
    return MediaAsset.objects.filter(pk=asset_id).values_list("status", flat=True).first() or ""


def _timeout(duration: float | None) -> float:
    """An hour, or four times the running time for long recordings on a slow machine."""
    return max(3600.0, 4 * (duration or 0))


def _local_source(asset: MediaAsset, folder: Path) -> Path:
    """The original as a local file: its own path on disk storage, else a copy (S3)."""
    name = asset.original.name
    try:
        path = Path(asset.original.storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(name)
        return path
    copy = folder / f"source{Path(name).suffix.lower()}"
    with asset.original.storage.open(name, "rb") as remote, open(copy, "wb") as local:
        shutil.copyfileobj(remote, local, 1024 * 1024)
    return copy


def _video(asset, source, folder, reporter, saved) -> dict:
    info = ffmpeg.probe(source, demuxers=ffmpeg.VIDEO_DEMUXERS)
    if not info.has_video:
        raise ffmpeg.FFmpegError("no video stream in the source")
    mp4 = folder / "play.mp4"
    ffmpeg.run_with_progress(ffmpeg.video_mp4_args(source, mp4, has_audio=info.has_audio),
                             duration=info.duration, on_progress=reporter.span(0, 90),
                             timeout=_timeout(info.duration))
    out = ffmpeg.probe(mp4, demuxers=("mov",))
    hls = folder / "hls"
    hls.mkdir()
    ffmpeg.run(ffmpeg.hls_args(mp4, hls))
    reporter.set(max(reporter.last_percent, 97))
    duration = out.duration or info.duration or 0
    poster = folder / "poster.jpg"
    ffmpeg.run(ffmpeg.poster_args(mp4, poster, at=min(1.0, duration * 0.1)))
    if not poster.is_file() or poster.stat().st_size == 0:
        raise ffmpeg.FFmpegError("no poster frame written")

    token = uuid.uuid4().hex
    output_name = _save_output(asset, mp4, f"{token}.mp4", saved)
    hls_playlist = _save_hls(asset, hls, token, saved)
    poster_image = _save_poster(asset, poster, token, saved)
    reporter.set(99)
    return {"output": output_name, "hls_playlist": hls_playlist, "poster": poster_image,
            "duration": round(duration, 3), "width": out.width, "height": out.height}


def _audio(asset, source, folder, reporter, saved) -> dict:
    info = ffmpeg.probe(source, demuxers=ffmpeg.AUDIO_DEMUXERS)
    if not info.has_audio:
        raise ffmpeg.FFmpegError("no audio stream in the source")
    m4a = folder / "play.m4a"
    ffmpeg.run_with_progress(ffmpeg.audio_m4a_args(source, m4a), duration=info.duration,
                             on_progress=reporter.span(0, 97), timeout=_timeout(info.duration))
    out = ffmpeg.probe(m4a, demuxers=("mov",))
    output_name = _save_output(asset, m4a, f"{uuid.uuid4().hex}.m4a", saved)
    reporter.set(99)
    return {"output": output_name, "hls_playlist": "", "poster": None,
            "duration": round(out.duration or info.duration or 0, 3), "width": None,
            "height": None}


def _save_output(asset, path: Path, name: str, saved: list[str]) -> str:
    field = asset.output.field
    target = field.generate_filename(asset, name)
    with open(path, "rb") as handle:
        stored = default_storage.save(target, File(handle))
    saved.append(stored)
    return stored


def _save_hls(asset, folder: Path, token: str, saved: list[str]) -> str:
    """Segments first, the playlist last; the playlist names its segments relatively, so
    they must land in one folder under exactly these names."""
    prefix = f"av/hls/{timezone.now():%Y/%m}/{asset.pk}-{token}"
    playlist = folder / "index.m3u8"
    if not playlist.is_file():
        raise ffmpeg.FFmpegError("no HLS playlist written")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".ts") + [playlist]
    if len(files) < 2:
        raise ffmpeg.FFmpegError("no HLS segments written")
    for path in files:
        target = f"{prefix}/{path.name}"
        with open(path, "rb") as handle:
            stored = default_storage.save(target, File(handle))
        saved.append(stored)
        if stored != target:
            raise RuntimeError(f"storage renamed {target} to {stored}")
    return f"{prefix}/index.m3u8"


def _save_poster(asset, path: Path, token: str, saved: list[str]):
    from wagtail.images import get_image_model

    image_model = get_image_model()
    with open(path, "rb") as handle:
        image = image_model(title=f"{asset.title}（封面帧）"[:255], collection=_poster_collection(),
                            file=ImageFile(handle, name=f"av-poster-{asset.pk}-{token[:8]}.jpg"))
        image.save()
    saved.append(f"image:{image.pk}")
    return image


POSTER_COLLECTION = "音视频封面帧"


def _poster_collection():
    """Posters live in their own collection, so they do not crowd the photo library."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=POSTER_COLLECTION).first()
    return existing or root.add_child(name=POSTER_COLLECTION)


def _finish(asset: MediaAsset, result: dict, saved: list[str]) -> None:
    with transaction.atomic():
        updated = MediaAsset.objects.filter(pk=asset.pk, status=MediaStatus.PROCESSING).update(
            status=MediaStatus.READY, progress=100, error="", error_detail="",
            output=result["output"], hls_playlist=result["hls_playlist"],
            poster=result["poster"], duration=result["duration"], width=result["width"],
            height=result["height"], updated_at=timezone.now())
    if not updated:  # deleted (or reset) while we worked: keep nothing
        _discard(saved)


def _fail(asset_id: int, message: str, detail: str, saved: list[str]) -> None:
    _discard(saved)
    MediaAsset.objects.filter(pk=asset_id).update(
        status=MediaStatus.FAILED, error=message, error_detail=detail.strip()[-2000:],
        updated_at=timezone.now())


def _discard(saved: list[str]) -> None:
    from wagtail.images import get_image_model

    for name in saved:
        try:
            if name.startswith("image:"):
                image = get_image_model().objects.filter(pk=int(name[6:])).first()
                if image is not None:
                    image.file.delete(save=False)
                    image.delete()
            else:
                default_storage.delete(name)
        except Exception:  # noqa: BLE001 - best effort clean-up after a failure
            logger.warning("could not remove %s after a failed transcode", name)
