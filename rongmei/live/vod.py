"""回放, the work (run by the ``make_replay`` task): recordings → media library → 视频 story.

See ``services.replay`` for when it runs. The recordings are joined without re-encoding
(ffmpeg's concat demuxer, ``-c copy``), handed to the media library through its own door
(``media.services.media_upload``, acting for whoever created the room — or the staff member
who pressed 重新生成 — so a unit's replay is filed under that unit and transcoded like any
upload), and placed in a ``news.VideoPage`` in the room's section: published at once, or
kept as a draft when the room asks for review. The room then shows the replay (回放).
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError

from .models import LiveRoom, RecordingStatus, ReplayStatus, RoomState
from .states import transition

logger = logging.getLogger(__name__)


def _join(paths: list[Path], folder: Path) -> Path:
    """One file of the room's recordings, stream-copied (no re-encoding)."""
    if len(paths) == 1:
        return paths[0]
    listing = folder / "parts.txt"
    listing.write_text("".join(f"file '{p.as_posix()}'\n" for p in paths), encoding="utf-8")
    joined = folder / "replay.flv"
    subprocess.run([settings.FFMPEG_BINARY, "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "concat", "-safe", "0", "-protocol_whitelist", "file",
                    "-i", str(listing), "-c", "copy", str(joined)],
                   check=True, capture_output=True, timeout=1800)
    return joined


def make_replay(room_id: int, *, actor=None) -> str:
    """The task's work. Failures leave ``replay_status = failed`` with a Chinese reason."""
    from rongmei.media.services import media_upload

    room = LiveRoom.objects.select_related("created_by", "unit", "cover").get(pk=room_id)
    if room.replay_status != ReplayStatus.MAKING:
        return "skipped"
    actor = actor or room.created_by
    paths = [Path(p) for p in room.recordings.filter(status=RecordingStatus.DONE)
             .order_by("started_at", "pk").values_list("path", flat=True)]
    paths = [p for p in paths if p.is_file() and p.stat().st_size > 0]
    try:
        if actor is None:
            raise ServiceError("no_owner", "创建直播间的账号已不存在，请由工作人员点击“重新生成回放”")
        if not paths:
            raise ServiceError("no_recording", "没有找到录像文件")
        with tempfile.TemporaryDirectory(prefix="rongmei-replay-") as folder:
            try:
                source = _join(paths, Path(folder))
            except (subprocess.SubprocessError, OSError) as exc:
                logger.warning("joining recordings of room %s failed: %s", room_id, exc)
                raise ServiceError("join_failed", "录像拼接失败，请检查录像文件") from None
            with open(source, "rb") as handle:
                upload = File(handle, name=f"live-{room.stream_name}.flv")
                asset = media_upload(actor=actor, kind="video", title=f"【回放】{room.title}"[:120],
                                     upload=upload, unit=room.unit)
        page, note = _replay_story(room, asset, actor)
    except ServiceError as error:
        LiveRoom.objects.filter(pk=room_id).update(replay_status=ReplayStatus.FAILED,
                                                   replay_error=error.message[:300])
        logger.info("replay of room %s failed: %s", room_id, error.code)
        return f"failed: {error.code}"
    with transaction.atomic():
        room = LiveRoom.objects.select_for_update().get(pk=room_id)
        room.replay_asset, room.replay_page = asset, page
        room.replay_status, room.replay_error = ReplayStatus.DONE, note
        room.save(update_fields=["replay_asset", "replay_page", "replay_status", "replay_error",
                                 "updated_at"])
        if room.state == RoomState.ENDED:
            transition(room, RoomState.REPLAY, actor=actor, reason="回放已生成")
    return f"done: page {page.pk}"


def _replay_story(room: LiveRoom, asset, actor):
    """A 视频 story in the room's section, published unless the room asks for review."""
    from rongmei.news import services as news
    from rongmei.news.models import Channel, VideoPage

    section = news.ensure_section(room.unit)
    folder = news.archive_for(section, timezone.now())
    channel = Channel.objects.filter(slug="video").first()
    page = VideoPage(title=f"【回放】{room.title}", summary=(room.intro or room.title)[:200],
                     cover=room.cover, video=asset, channel=channel, owner=actor,
                     reporter=getattr(actor, "name", "")[:60],
                     description="".join(f"<p>{line}</p>" for line in
                                         _escaped_lines(room.intro)))
    folder.add_child(instance=page)
    revision = page.save_revision(user=actor, log_action=True)
    if not room.replay_publish:
        return page, "回放稿件已保存为草稿，请编辑审核后发布"
    from rongmei.news.review import exempt_publish
    try:
        with exempt_publish("直播回放自动发布"):  # the room chose it; the word gate still runs
            revision.publish(user=actor)
    except Exception as exc:  # the word gate (ContentBlocked) or the workflow said no
        logger.info("replay story %s kept as a draft: %s", page.pk, exc)
        return page, "回放稿件未能自动发布（可能含敏感词），已保存为草稿，请编辑审核后发布"
    return page, ""


def _escaped_lines(text: str) -> list[str]:
    from django.utils.html import escape

    return [escape(line) for line in (text or "").splitlines() if line.strip()]
