"""Fixtures for 问政: a county with a category, newsroom staff, a unit handler in 住建局,
a 三长 in 上塘村, 宣传部, and a resident; helpers to make photos and submit cases."""

from __future__ import annotations

import io
import itertools
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongmei.core.roles import (
    DIRECTOR,
    GRID_LEADER,
    PROPAGANDA,
    UNIT_HANDLER,
    WENZHENG_HANDLER,
)

_keys = itertools.count(1)


def jpeg_with_gps(name="photo.jpg") -> SimpleUploadedFile:
    """A real JPEG carrying EXIF with a GPS block and a camera make."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (27.0, 50.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def wz(county, make_user):
    from rongmei.wenzheng.models import CaseCategory

    category = CaseCategory.objects.create(
        name="城乡建设", fields=[{"name": "since", "label": "发生日期", "type": "date",
                                 "required": False}])
    other = CaseCategory.objects.create(name="交通出行")
    handler = make_user(WENZHENG_HANDLER)
    return SimpleNamespace(
        county=county, category=category, other_category=other,
        handler=handler, reviewer=make_user(DIRECTOR),
        unit_handler=make_user(UNIT_HANDLER, unit=county.housing),
        other_unit_handler=make_user(UNIT_HANDLER, unit=county.baishui),
        grid_leader=make_user(GRID_LEADER, unit=county.shangtang),
        other_grid_leader=make_user(GRID_LEADER, unit=county.baishui),
        propaganda=make_user(PROPAGANDA),
        resident=make_user(phone="13912345678", nickname="李四"),
        other_resident=make_user(),
    )


def submit(wz, *, user=None, title="小区路灯坏了一个月", photos=None, **fields):
    from rongmei.wenzheng import services

    values = {"user": user or wz.resident, "category_id": wz.category.pk, "title": title,
              "description": "荷塘镇上塘村村口三盏路灯坏了一个月，晚上出行很不安全。",
              "key": f"k{next(_keys)}", "address": "荷塘镇上塘村村口",
              "area_id": wz.county.shangtang.pk, "latitude": "27.123456",
              "longitude": "116.654321", "contact_name": "李四",
              "contact_phone": "13912345678", "photos": photos}
    values.update(fields)
    return services.case_submit(**values)


# --- shared by the issue-14 tests ------------------------------------------------------------

def at(day: str, clock: str = "10:00"):
    """An aware datetime in Asia/Shanghai."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def local_day(moment) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")


def xlsx(rows, header=("日期", "类型", "名称")) -> SimpleUploadedFile:
    """An uploaded Excel sheet with ``header`` and ``rows``."""
    from rongmei.core.excel import workbook_bytes

    return SimpleUploadedFile("holidays.xlsx", workbook_bytes("节假日安排", header, rows),
                              content_type="application/vnd.openxmlformats-officedocument."
                                           "spreadsheetml.sheet")


# An example 2027 schedule (not the State Council's — only its shape matters here):
# 元旦 1–3 January; 春节 6–14 February; make-up working days Sunday 31 January and
# Saturday 20 February.
SCHEDULE_2027 = [
    ("2027-01-01", "放假", "元旦"), ("2027-01-02", "放假", "元旦"), ("2027-01-03", "放假", "元旦"),
    ("2027-01-31", "上班", "春节"),
    *[(f"2027-02-{d:02d}", "放假", "春节") for d in range(6, 15)],
    ("2027-02-20", "上班", "春节"),
]


@pytest.fixture
def video_with_location(tmp_path):
    """A real MP4 whose container carries a GPS location and a device name, as phones do."""
    import shutil
    import subprocess

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc=size=64x48:rate=10:duration=1", "-f", "lavfi",
                    "-i", "sine=duration=1", "-c:v", "libx264", "-c:a", "aac",
                    "-metadata", "location=+27.8333+116.3333/", "-metadata", "title=SecretTitle",
                    "-metadata:s:v:0", "handler_name=SecretPhone",
                    "-movflags", "+use_metadata_tags", str(path)], check=True)
    return path.read_bytes()


@pytest.fixture
def sms_gateway(settings):
    """The Tencent Cloud SMS stand-in (it checks the TC3 signature, as the real one does) on
    a port of this worktree's range, with the provider pointed at it."""
    import threading
    from http.server import ThreadingHTTPServer

    from rongmei.accounts.tests.test_tencent_sms import SECRET_ID, SECRET_KEY, StandIn

    StandIn.received, StandIn.answer = [], None
    server = None
    for port in range(8390, 8400):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), StandIn)
            break
        except OSError:
            continue
    if server is None:
        pytest.skip("no free port in 8390–8399 for the SMS stand-in")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_TENCENT = {
        "ENDPOINT": f"http://127.0.0.1:{server.server_port}", "SECRET_ID": SECRET_ID,
        "SECRET_KEY": SECRET_KEY, "REGION": "ap-guangzhou", "SDK_APP_ID": "1400006666",
        "SIGN_NAME": "莲乡融媒", "TIMEOUT": 3,
        "TEMPLATES": {"login_code": "449739", "wenzheng_status": "1000001",
                      "wenzheng_assigned": "1000002", "wenzheng_urge": "1000003",
                      "wenzheng_escalate": "1000004", "wenzheng_sent_back": "1000005"},
    }
    try:
        yield StandIn
    finally:
        server.shutdown()
        server.server_close()


def notices_of(user, kind=None, *, open_todo=None):
    from rongmei.notices.models import Notice

    qs = Notice.objects.filter(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    if open_todo is not None:
        qs = qs.filter(box="todo", done_at__isnull=open_todo)
    return qs


def dispatch_simple(client, wz, unit, **fields):
    """Submit, accept (track ①) and dispatch through the newsroom's console screens."""
    case = submit(wz, **fields)
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_triage/", {"case": case.pk, "action": "accept", "track": "1",
                                            "priority": "normal", "public": "1"})
    client.post("/admin/wenzheng_dispatch/", {"case": case.pk, "action": "unit",
                                              "unit": unit.pk})
    case.refresh_from_db()
    return case, case.assignments.get(unit=unit)


def answer(client, wz, case, assignment, *, handler=None,
           text="路灯已经全部修好了，感谢您的反映。"):
    """The unit signs for the case and replies on its phone page; the newsroom publishes."""
    client.force_login(handler or wz.unit_handler)
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "reply", "text": text})
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_replies/", {"reply": case.replies.latest("pk").pk,
                                             "decision": "approve"})
