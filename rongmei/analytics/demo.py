"""The demo county's figures: 45 days of synthetic beacon events (through the aggregation
timer's own move-and-rebuild path), 六进 渠道码 with an event day, the county's population,
and signed monthly reports of four invented neighbouring counties, imported and verified as
the provincial side would (so the 排行榜 has something to rank).

Deterministic (a fixed random seed) and idempotent: nothing is added once devices exist.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime, time, timedelta

from django.utils import timezone

ORDER = 95  # after every module whose pages and figures it reads

DAYS = 45
CHANNELS = ["yaowen", "xiangzhen", "minsheng", "zhengwu", "xiangcun", "wenlv"]
CODES = [  # (code, name, kind, unit name or "", days ago of the event day or None)
    ("JG-01", "进机关·县直单位集中推广", "agencies", "县委办公室", None),
    ("XX-01", "进学校·县第一中学家长会", "schools", "莲乡县第一中学", None),
    ("NC-01", "进农村·荷塘镇赶集日", "villages", "荷塘镇", 12),
    ("YQ-01", "进园区·工业园区", "parks", "", None),
    ("XH-01", "进协会·个体劳动者协会", "associations", "", None),
    ("SQ-01", "进社区·莲花社区", "communities", "莲花社区", None),
    ("HD-LH", "莲花节开幕式现场", "event_day", "", 5),
]
NEIGHBOURS = [("369902", "荷塘县", 0.8), ("369903", "白水县", 1.3), ("369904", "青石县", 0.55),
              ("369905", "龙溪县", 1.05)]


def seed(ctx) -> str:
    from .models import AnalyticsSettings, Device

    settings_row = AnalyticsSettings.load()
    if not settings_row.population:
        settings_row.population = 320_000
        settings_row.county_code = settings_row.county_code or "369901"
        settings_row.save()
    codes = seed_codes()
    if Device.objects.exists():
        return f"数据：渠道码 {codes} 个（埋点数据已存在）"
    events = seed_events(devices=max(60, ctx.scale * 3))
    reports = seed_neighbours()
    return f"数据：渠道码 {codes} 个，{DAYS} 天埋点事件 {events} 条，邻县月报 {reports} 份"


def seed_codes() -> int:
    from rongmei.units.models import Unit

    from .models import ChannelCode

    today = timezone.localdate()
    for code, name, kind, unit_name, event_ago in CODES:
        if ChannelCode.objects.filter(code=code).exists():
            continue
        ChannelCode.objects.create(
            code=code, name=name, kind=kind,
            unit=Unit.objects.filter(name=unit_name).first() if unit_name else None,
            event_day=today - timedelta(days=event_ago) if event_ago is not None else None)
    return ChannelCode.objects.count()


def seed_events(*, devices: int) -> int:
    """Residents' devices arriving over the period (some by a 渠道码, a crowd on the event
    days), coming back with a decaying habit, reading stories of the newsroom's channels."""
    from wagtail.models import Page

    from .aggregation import move_chunk, rebuild_pending

    rng = random.Random(22)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    pages = list(Page.objects.live().filter(depth__gte=5).values_list("pk", flat=True)[:60])
    arrivals = []  # (device, first day offset, code, habit)
    for i in range(devices):
        first = rng.randint(0, DAYS - 1)
        code = ""
        roll = rng.random()
        if roll < 0.35:
            code = rng.choice(CODES[:6])[0]
        arrivals.append((f"demo{i:06d}", first, code, rng.uniform(0.15, 0.7)))
    for code, _name, _kind, _unit, event_ago in CODES:  # event days bring a crowd
        if event_ago is not None:
            for j in range(max(10, devices // 6)):
                arrivals.append((f"demo-{code}-{j:05d}", DAYS - 1 - event_ago, code,
                                 rng.uniform(0.1, 0.5)))
    lines: list[bytes] = []
    for device, first, code, habit in arrivals:
        for offset in range(first, DAYS):
            if offset != first and rng.random() > habit * (0.97 ** (offset - first)):
                continue
            day = today - timedelta(days=DAYS - 1 - offset)
            moment = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)),
                                      tzinfo=tz)
            ms = int(moment.timestamp() * 1000)

            def line(name, channel="", page=None, value=0, at=ms, device=device, code=code):
                return json.dumps([at, name, device, None, channel, page, value, code],
                                  separators=(",", ":")).encode()

            lines.append(line("app_open"))
            if offset == first and rng.random() < 0.3:
                lines.append(line("install"))
            for step in range(rng.randint(1, 5)):
                channel = rng.choice(CHANNELS)
                page = rng.choice(pages) if pages and rng.random() < 0.8 else None
                at = ms + step * 60_000
                lines.append(line("page_view", channel, page, at=at))
                if page:
                    lines.append(line("read_time", channel, page, rng.randint(10, 240), at=at))
                    if rng.random() < 0.08:
                        lines.append(line("share", channel, page, at=at))
            if rng.random() < 0.15:
                lines.append(line("search"))
            if rng.random() < 0.05:
                lines.append(line("push_open"))
    for start in range(0, len(lines), 20_000):
        move_chunk(f"demo:{start}", lines[start:start + 20_000])
    rebuild_pending()
    return len(lines)


def neighbour_key(code: str):
    """The invented counties' signing keys (derived from their codes: demo only)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"rongmei-demo-county-{code}".encode()).digest())


def seed_neighbours() -> int:
    from . import reports
    from .models import ProvincialReport, ReportingCounty
    from .selectors import Period, county_measures

    today = timezone.localdate()
    months = [(today.replace(day=1) - timedelta(days=1)).replace(day=1), today.replace(day=1)]
    own = {month: county_measures(Period.month(month)) for month in months}
    made = 0
    for code, name, factor in NEIGHBOURS:
        key = neighbour_key(code)
        ReportingCounty.objects.get_or_create(
            code=code, defaults={"name": name, "public_key": reports.public_key_b64(key)})
        for month in months:
            measures = {k: round(max(1.0, v) * factor * random.Random(f"{code}{k}").uniform(
                0.8, 1.2), 1) for k, v in own[month].items()}
            document = reports.sign({
                "schema": reports.SCHEMA, "county": {"code": code, "name": name},
                "month": f"{month:%Y-%m}", "population": int(320_000 * factor),
                "measures": measures,
                "generated_at": timezone.now().replace(microsecond=0).isoformat()}, key)
            verified, report, _doc = reports.verify(json.dumps(document).encode())
            ProvincialReport.objects.update_or_create(
                county=verified, month=month,
                defaults={"measures": report["measures"], "population": report["population"],
                          "document": document})
            made += 1
    return made
