"""The provincial report: a county signs its month; the receiving installation verifies it
against the key it registered for that county, ranks it, and refuses anything tampered with
or signed by someone else."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile

from rongmei.analytics import reports
from rongmei.analytics.models import ProvincialReport

pytestmark = pytest.mark.django_db

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def county_report(**measures) -> dict:
    return {"schema": reports.SCHEMA, "county": {"code": "360101", "name": "荷塘县"},
            "month": "2026-11", "population": 210000,
            "measures": {"page_views": 400000, "new_users": 3000, **measures},
            "generated_at": "2026-12-01T02:00:00+08:00"}


def upload(client, document: dict | bytes):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post("/admin/analytics_index/?month=2026-11",
                       {"file": SimpleUploadedFile("report.json", data,
                                                   content_type="application/json")})


@pytest.fixture
def receiving(client, make_user):
    client.force_login(make_user("operator"))
    response = client.post("/admin/analytics_index/", {
        "code": "360101", "name": "荷塘县", "public_key": reports.public_key_b64(KEY)})
    assert response.status_code == 302
    return client


def test_a_signed_report_is_verified_imported_and_ranked(receiving):
    response = upload(receiving, reports.sign(county_report(), KEY))
    assert response.status_code == 302
    report = ProvincialReport.objects.get()
    assert report.county.name == "荷塘县" and report.measures["page_views"] == 400000
    page = receiving.get("/admin/analytics_index/?month=2026-11").content.decode()
    assert "荷塘县" in page and "（本县）" in page
    response = receiving.get("/admin/analytics_index/?month=2026-11&export=ranking")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert any(row[1] == "荷塘县" and row[2] == "360101" for row in rows)


@pytest.mark.parametrize("tamper", ["measure", "month", "county_name"])
def test_a_tampered_report_is_refused(receiving, tamper):
    document = reports.sign(county_report(), KEY)
    if tamper == "measure":
        document["report"]["measures"]["page_views"] = 4000000
    elif tamper == "month":
        document["report"]["month"] = "2026-10"
    else:
        document["report"]["county"]["name"] = "别的县"
    response = upload(receiving, document)
    assert response.status_code == 200
    assert "签名验证失败" in response.content.decode()
    assert not ProvincialReport.objects.exists()


def test_a_report_signed_by_another_key_is_refused_even_if_it_carries_that_key(receiving):
    forger = Ed25519PrivateKey.generate()
    document = reports.sign(county_report(), forger)  # carries the forger's public key
    assert document["public_key"] != reports.public_key_b64(KEY)
    response = upload(receiving, document)
    assert "签名验证失败" in response.content.decode()
    assert not ProvincialReport.objects.exists()


def test_unregistered_county_and_garbage_are_refused_with_reasons(receiving):
    other = county_report()
    other["county"]["code"] = "360999"
    assert "未登记的报送县" in upload(receiving, reports.sign(other, KEY)).content.decode()
    assert "无法读取" in upload(receiving, b"not json").content.decode()
    document = reports.sign(county_report(), KEY)
    document["signature"] = base64.b64encode(b"x" * 64).decode()
    assert "签名验证失败" in upload(receiving, document).content.decode()
    assert not ProvincialReport.objects.exists()


def test_own_report_downloads_signed_and_verifies_with_the_shown_key(client, make_user,
                                                                     settings):
    settings.ANALYTICS_REPORT_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    client.force_login(make_user("director"))
    page = client.get("/admin/analytics_index/?month=2026-11").content.decode()
    assert reports.public_key_b64(KEY) in page
    response = client.get("/admin/analytics_index/?month=2026-11&download=report")
    document = json.loads(response.content)
    assert document["report"]["month"] == "2026-11"
    assert set(document["report"]["measures"]) >= {"page_views", "new_users", "mau_per_mille"}
    KEY.public_key().verify(base64.b64decode(document["signature"]),
                            reports.canonical(document["report"]))


def test_residents_and_directors_cannot_import(client, make_user):
    client.force_login(make_user("director"))
    response = upload(client, reports.sign(county_report(), KEY))
    assert response.status_code in (302, 403)
    assert not ProvincialReport.objects.exists()


def test_an_older_signed_report_does_not_replace_a_newer_one(receiving):
    newer = county_report(page_views=410000)
    newer["generated_at"] = "2026-12-03T09:00:00+08:00"  # a correction signed later
    assert upload(receiving, reports.sign(newer, KEY)).status_code == 302
    response = upload(receiving, reports.sign(county_report(), KEY))  # signed 12-01
    assert response.status_code == 200
    assert "这份较早的报告未导入" in response.content.decode()
    assert ProvincialReport.objects.get().measures["page_views"] == 410000
    newest = county_report(page_views=420000)
    newest["generated_at"] = "2026-12-04T09:00:00+08:00"
    assert upload(receiving, reports.sign(newest, KEY)).status_code == 302
    assert ProvincialReport.objects.get().measures["page_views"] == 420000


def test_a_report_nested_past_the_parsers_depth_is_refused_not_a_500(receiving, client):
    deep = b"[" * 4000 + b"]" * 4000  # under both size limits, past json's depth
    response = upload(receiving, deep)
    assert response.status_code == 200 and "无法读取" in response.content.decode()
    answer = client.post("/analytics/collect", deep, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == "malformed_request"
