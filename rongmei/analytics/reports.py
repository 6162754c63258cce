"""The signed monthly report for the provincial platform, and its import on the receiving side.

Schema ``rongmei.analytics.monthly-report/1`` (docs/architecture.md, "数据")::

    {"report": {"schema": "rongmei.analytics.monthly-report/1",
                "county": {"code": "360000", "name": "莲乡县"},
                "month": "2026-11", "population": 320000,
                "measures": {"page_views": 812345, "new_users": 1530, ...},
                "generated_at": "2026-12-01T02:00:00+00:00"},
     "signature": "<Base64 Ed25519 signature of canonical(report)>",
     "public_key": "<Base64 raw public key, for information only>"}

``canonical(report)`` is the report as compact JSON with sorted keys, UTF-8
(``json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
The importer verifies the signature against the key it has *registered* for that county
code (``ReportingCounty``), never the key the file carries — so a report changed after
signing, or signed by anyone else, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.units.access import check_role

from .index import MEASURES
from .models import AnalyticsSettings, ProvincialReport, ReportingCounty
from .selectors import Period, county_measures

SCHEMA = "rongmei.analytics.monthly-report/1"
MAX_REPORT_BYTES = 64 * 1024


def canonical(report: dict) -> bytes:
    return json.dumps(report, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _private_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    configured = settings.ANALYTICS_REPORT_SIGNING_KEY
    seed = (base64.b64decode(configured) if configured else
            hashlib.sha256(b"rongmei-analytics-report\n" + settings.SECRET_KEY.encode()).digest())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(private=None) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = (private or _private_key()).public_key()
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def build(month: date) -> dict:
    period = Period.month(month)
    config = AnalyticsSettings.load()
    values = county_measures(period)
    return {
        "schema": SCHEMA,
        "county": {"code": config.county_code, "name": settings.RONGMEI_COUNTY_NAME},
        "month": f"{period.start:%Y-%m}",
        "population": config.population,
        "measures": {code: values.get(code, 0) for code in [*MEASURES, "mau"]},
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
    }


def sign(report: dict, private=None) -> dict:
    private = private or _private_key()
    signature = private.sign(canonical(report))
    return {"report": report, "signature": base64.b64encode(signature).decode(),
            "public_key": public_key_b64(private)}


def _refuse(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, field="file")


def _parse(data: bytes) -> tuple[dict, bytes]:
    if len(data) > MAX_REPORT_BYTES:
        raise _refuse("report_too_large", "文件过大，不是月度报告")
    try:
        document = json.loads(data)
        report = document["report"]
        signature = base64.b64decode(document["signature"], validate=True)
    except (ValueError, KeyError, TypeError, RecursionError):  # nested past the parser's depth
        raise _refuse("report_unreadable", "无法读取：这不是有效的月度报告文件") from None
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        raise _refuse("report_schema", f"报告格式不符（应为 {SCHEMA}）")
    return document, signature


def verify(document_bytes: bytes) -> tuple[ReportingCounty, dict, dict]:
    """The county and report of a signed file, or ServiceError if it does not verify."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    document, signature = _parse(document_bytes)
    report = document["report"]
    code = str((report.get("county") or {}).get("code", ""))
    county = ReportingCounty.objects.filter(code=code).first()
    if county is None:
        raise _refuse("unknown_county", f"未登记的报送县（代码 {code or '空'}），请先登记其公钥")
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(county.public_key)).verify(
            signature, canonical(report))
    except (InvalidSignature, ValueError):
        raise _refuse("bad_signature",
                      f"签名验证失败：报告在签发后被改动过，或不是{county.name}签发的") from None
    return county, report, document


def report_import(*, actor, data: bytes) -> ProvincialReport:
    """Verify a county's signed monthly report and keep it (replacing that county's report
    of the same month). Operators and administrators of the receiving installation."""
    from .services import MANAGERS

    check_role(actor, *MANAGERS)
    county, report, document = verify(data)
    try:
        month = date.fromisoformat(f"{report['month']}-01")
        measures = {str(k): float(v) for k, v in report["measures"].items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0}
        people = int(report.get("population") or 0)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise _refuse("report_unreadable", "报告内容不完整（月份或指标缺失）") from None
    generated = _generated_at(report)
    with transaction.atomic():
        current = ProvincialReport.objects.select_for_update().filter(
            county=county, month=month).first()
        if current is not None and generated <= _generated_at(current.document.get("report", {})):
            # A re-sent older (or the same) file must not undo a correction the county
            # has signed since.
            raise _refuse("report_outdated",
                          f"已有{county.name}{month.year}年{month.month}月更新的报告（签发于"
                          f"{_generated_text(current.document.get('report', {}))}），"
                          f"这份较早的报告未导入")
        item, _created = ProvincialReport.objects.update_or_create(
            county=county, month=month,
            defaults={"measures": measures, "population": max(0, people), "document": document,
                      "imported_by": actor})
    return item


def _generated_at(report: dict) -> datetime:
    """When a report was signed (its ``generated_at``); the oldest possible time if absent."""
    try:
        value = datetime.fromisoformat(str(report.get("generated_at", "")))
    except (ValueError, TypeError, AttributeError):
        return datetime.min.replace(tzinfo=dt_timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=dt_timezone.utc)


def _generated_text(report: dict) -> str:
    return timezone.localtime(_generated_at(report)).strftime("%Y-%m-%d %H:%M")


def county_register(*, actor, code: str, name: str, public_key: str) -> ReportingCounty:
    from .services import MANAGERS

    check_role(actor, *MANAGERS)
    code, name, public_key = code.strip(), name.strip(), public_key.strip()
    if not code.isdecimal() or not 6 <= len(code) <= 12:
        raise ServiceError("invalid_county_code", "行政区划代码应为6到12位数字", field="code")
    if not name:
        raise ServiceError("invalid_county_name", "请填写县名", field="name")
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ServiceError("invalid_public_key", "公钥应为32字节的 Base64 文本", field="public_key")
    county, _created = ReportingCounty.objects.update_or_create(
        code=code, defaults={"name": name, "public_key": public_key})
    return county
