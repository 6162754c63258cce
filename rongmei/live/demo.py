"""Demo 直播: a gala coming up (预告), last year's contest final with its replay, and a
图文直播 of the lotus festival going on now. Idempotent (looked up by title)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

ORDER = 60  # after the newsroom (the replay is a 视频 story in its tree)

GALA = "2027年莲乡春节联欢晚会"
FINAL = "“莲乡红色故事我来讲”演讲大赛决赛"
BLOG = "第十届莲花旅游文化节开幕式"


def seed(ctx) -> str:
    from rongmei.accounts.models import User
    from rongmei.units.demo import editor_phone

    from .models import LiveRoom

    editor = User.objects.get(phone=editor_phone())
    made = []
    if not LiveRoom.objects.filter(title=GALA).exists():
        _gala(editor)
        made.append("预告")
    if not LiveRoom.objects.filter(title=BLOG).exists():
        _blog(editor)
        made.append("图文直播")
    if not LiveRoom.objects.filter(title=FINAL).exists():
        made.append("回放" if _final(editor) else "已结束")
    return f"直播间 {len(made)} 个（{'、'.join(made) or '已有'}）"


def _gala(editor):
    from .services.comments import notice_post
    from .services.extras import product_add
    from .services.rooms import room_create

    room = room_create(actor=editor, title=GALA, starts_at=timezone.now() + timedelta(days=3),
                       intro="县融媒体中心与县委宣传部联合主办，客户端全程直播，欢迎预约。")
    product_add(actor=editor, room_id=room.pk, title="莲乡通心白莲 500克", url="/mall/products/",
                price_text="200积分")
    notice_post(actor=editor, room_id=room.pk, body="晚会当晚20:00开播，预约后开播时提醒您。",
                pinned=True)
    return room


def _blog(editor):
    from rongmei.accounts.models import User

    from .models import CommentStatus, LiveComment, RoomKind
    from .services.extras import post_create
    from .services.rooms import room_create, room_start

    room = room_create(actor=editor, title=BLOG, kind=RoomKind.BLOG,
                       starts_at=timezone.now() - timedelta(hours=1),
                       intro="记者在开幕式现场发回图文报道。", comment_mode="post")
    room_start(actor=editor, room_id=room.pk)
    for text in ("开幕式将于上午9点在莲花广场举行，现场已有数千名群众等候。",
                 "县领导致辞：本届莲花节共安排赏莲、非遗展演、直播带货等20余项活动。",
                 "《莲乡谣》采茶戏表演开始，台下掌声阵阵。"):
        post_create(actor=editor, room_id=room.pk, body=text)
    residents = list(User.objects.filter(is_staff=False).order_by("pk")[:3])
    for resident, text in zip(residents, ("现场太热闹了！", "为家乡点赞", "莲花真美")):
        LiveComment.objects.create(room=room, author=resident, body=text,
                                   status=CommentStatus.APPROVED)
    return room


def _final(editor) -> bool:
    """A finished room whose replay is made the real way: a recording (a generated test
    video standing in for what nginx-rtmp wrote) through ``replay_request``."""
    from .models import Recording, RecordingStatus, RoomState
    from .services.replay import replay_request
    from .services.rooms import room_create
    from .states import transition

    started = timezone.now() - timedelta(days=30, hours=2)
    room = room_create(actor=editor, title=FINAL, starts_at=started,
                       intro="12名选手讲述家乡的红色故事，线下决赛客户端全程直播。")
    path = _test_recording(room.stream_name)
    with transaction.atomic():
        transition(room, RoomState.LIVE, now=started, reason="演示")
        transition(room, RoomState.ENDED, now=started + timedelta(hours=2), reason="演示")
        type(room).objects.filter(pk=room.pk).update(peak_viewers=3860, total_viewers=54012,
                                                     likes=182300)
        if path is None:
            return False
        Recording.objects.create(room=room, path=str(path), status=RecordingStatus.DONE,
                                 started_at=started, finished_at=started + timedelta(hours=2))
        replay_request(room)
    return True


def _test_recording(name: str):
    ffmpeg = shutil.which(settings.FFMPEG_BINARY)
    if ffmpeg is None or settings.TESTING:  # tests seed the demo often: no transcode there
        return None
    folder = settings.LIVE_RECORD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-demo.flv"
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=523:sample_rate=44100", "-t", "4",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-f", "flv", str(path)], check=True, timeout=120)
    return path
