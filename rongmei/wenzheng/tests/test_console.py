"""The newsroom's console screens: who sees them, triage → dispatch → reply review through the
forms, 内参/告知单 PDFs with an embedded CJK font, and the dashboard with Excel export."""

from __future__ import annotations

import io
import json
import re

import pytest

from rongmei.core.roles import OPERATOR
from rongmei.wenzheng import services
from rongmei.wenzheng.models import Case, CaseState, Track

from .conftest import submit

pytestmark = pytest.mark.django_db
SCREENS = ["wenzheng_triage", "wenzheng_dispatch", "wenzheng_replies", "wenzheng_reports",
           "wenzheng_briefings", "wenzheng_cases", "wenzheng_dashboard"]


def url(name):
    return f"/admin/{name}/"


def test_screens_are_for_the_newsroom_and_propaganda_only(client, wz, make_user):
    client.force_login(wz.handler)
    for name in SCREENS:
        assert client.get(url(name)).status_code == 200, name
    client.force_login(wz.propaganda)
    for name in SCREENS:
        expected = 200 if name in ("wenzheng_briefings", "wenzheng_cases",
                                   "wenzheng_dashboard") else 302
        assert client.get(url(name)).status_code == expected, name
    client.force_login(make_user(OPERATOR))
    for name in SCREENS:
        assert client.get(url(name)).status_code == 302, name


def test_triage_dispatch_and_reply_review_through_the_console(client, wz):
    case = submit(wz)
    client.force_login(wz.handler)
    page = client.get(url("wenzheng_triage")).content.decode()
    assert case.receipt_no in page
    client.post(url("wenzheng_triage"), {"case": case.pk, "action": "accept", "track": "1",
                                         "priority": "normal", "public": "1"})
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.is_public
    client.post(url("wenzheng_dispatch"), {"case": case.pk, "action": "unit",
                                           "unit": wz.county.housing.pk,
                                           "contact_note": "电话通知住建局办公室"})
    assignment = case.assignments.get()
    services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=assignment.pk)
    reply = services.reply_draft(actor=wz.unit_handler, assignment_id=assignment.pk,
                                 text="路灯已经修复，感谢您的反映。")
    assert "路灯已经修复" in client.get(url("wenzheng_replies")).content.decode()
    response = client.post(url("wenzheng_replies"), {"reply": reply.pk, "decision": "send_back",
                                                     "note": ""}, follow=True)
    assert "请填写审核意见" in response.content.decode()  # a send-back needs a reason
    client.post(url("wenzheng_replies"), {"reply": reply.pk, "decision": "approve",
                                          "text": "村口路灯已修复，感谢您的反映。"})
    case.refresh_from_db()
    assert case.state == CaseState.ANSWERED and case.reply_text.startswith("村口路灯已修复")
    detail = client.get(url("wenzheng_cases") + f"?case={case.pk}").content.decode()
    assert "公开答复" in detail and "13912345678" not in detail


def _fonts(pdf: bytes) -> tuple[list[bytes], bool]:
    """Font names and whether a font file is embedded, looking inside compressed streams."""
    import re
    import zlib

    blob = pdf
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            blob += zlib.decompressobj().decompress(pdf[match.end():match.end() + 4_000_000])
        except zlib.error:
            continue
    return re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-]+)", blob), b"/FontFile" in blob


def test_briefing_and_notice_print_as_pdfs_with_a_chinese_font(client, wz):
    case = submit(wz, title="上塘村污水直排荷塘")
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.COMPLEX)
    client.force_login(wz.handler)
    client.post(url("wenzheng_briefings"), {"action": "draft", "case": case.pk,
                                            "title": "关于上塘村污水直排的舆情",
                                            "body": "网民反映上塘村生活污水直排荷塘。"})
    briefing = Case.objects.get(pk=case.pk).briefing
    client.post(url("wenzheng_briefings"), {"action": "send", "briefing": briefing.pk})
    client.force_login(wz.reviewer)
    client.post(url("wenzheng_briefings"), {"action": "approve", "briefing": briefing.pk})
    client.post(url("wenzheng_briefings"), {"action": "submit", "briefing": briefing.pk})
    client.force_login(wz.propaganda)
    client.post(url("wenzheng_briefings"), {
        "action": "issue", "briefing": briefing.pk, "lead_unit": wz.county.housing.pk,
        "assisting_units": [wz.county.hetang.pk], "copied_to": "县委书记王某，分管副县长张某"})
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    notice = case.notice
    assert notice.copied_to == ["县委书记王某", "分管副县长张某"]
    for kind, pk in (("briefing", briefing.pk), ("notice", notice.pk)):
        response = client.get(url("wenzheng_briefings") + f"?pdf={kind}&id={pk}")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pdf = response.content
        names, embedded = _fonts(pdf)
        assert pdf.startswith(b"%PDF") and embedded  # embedded, not just named
        assert any(b"CJK-SC" in name for name in names), names
    client.force_login(wz.unit_handler)
    assert client.get(url("wenzheng_briefings") + f"?pdf=notice&id={notice.pk}").status_code == 302


def test_dashboard_exports_excel(client, wz):
    from openpyxl import load_workbook

    case = submit(wz)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.SIMPLE)
    services.dispatch_to_unit(actor=wz.handler, case_id=case.pk, unit_id=wz.county.housing.pk)
    client.force_login(wz.handler)
    page = client.get(url("wenzheng_dashboard")).content.decode()
    assert "县住房和城乡建设局" in page and "vendor/echarts/echarts.min.js" in page
    response = client.get(url("wenzheng_dashboard") + "?by=category&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("分类", "问政数", "响应率") and rows[1][0] == "城乡建设"


def test_categories_with_their_own_fields_are_managed_in_the_console(client, wz):
    from rongmei.wenzheng.models import CaseCategory

    client.force_login(wz.handler)
    assert client.get("/admin/wenzheng_categories/").status_code == 200
    response = client.post("/admin/wenzheng_categories/new/", {
        "name": "噪音扰民", "description": "", "sort_order": "10", "is_active": "on",
        "fields": '[{"name": "hour", "label": "发生时段", "type": "choice", "choices": ["白天", "夜间"]}]'})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CaseCategory.objects.get(name="噪音扰民").fields[0]["label"] == "发生时段"
    response = client.post("/admin/wenzheng_categories/new/", {
        "name": "坏字段", "sort_order": "10", "fields": '[{"name": "x y", "label": "错"}]'})
    assert response.status_code == 200 and "只能包含字母" in response.content.decode()
    client.force_login(wz.unit_handler)
    assert client.get("/admin/wenzheng_categories/").status_code == 302


def test_console_screens_have_no_untranslated_english(client, wz, make_user):
    from rongmei.core.tests.test_console_chinese import ALLOWED_WORDS, data_words, english_words

    case = submit(wz)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.COMPLEX)
    client.force_login(make_user("administrator"))
    # Receipt numbers, and the JSON keys/values of the category field schema (operators type
    # them; the help text shows the format).
    schema = {"name", "plate", "label", "type", "text", "required", "false", "number", "date",
              "choice"}
    allowed = ALLOWED_WORDS | data_words() | set(re.findall(r"[A-Za-z]+", case.receipt_no)) | schema
    problems = {}
    for name in SCREENS + ["wenzheng_categories", "wenzheng_deadlines", "wenzheng_holidays",
                           "notices_inbox", "notices_sms"]:
        for suffix in ("", "new/") if name in ("wenzheng_categories",
                                                "wenzheng_deadlines") else ("",):
            response = client.get(url(name) + suffix)
            assert response.status_code == 200, name
            found = english_words(response.content.decode(), allowed)
            if found:
                problems[name + suffix] = found
    detail = client.get(url("wenzheng_cases") + f"?case={case.pk}").content.decode()
    if english_words(detail, allowed):
        problems["case detail"] = english_words(detail, allowed)
    assert not problems, json.dumps(problems, ensure_ascii=False)
