"""Nothing becomes public unreviewed or unmasked: a unit's public progress note waits for the
newsroom (先审后发); every public text — title, description, reply, timeline — leaves
through one masking function; the newsroom redacts before publication and withdraws a case
or a single entry later, each logged; residents' 举报 land in a console queue."""

from __future__ import annotations

import json

import pytest

from rongmei.wenzheng.models import AbuseReport, CaseEvent, EventKind

from .conftest import dispatch_simple, notices_of, submit

pytestmark = pytest.mark.django_db

PERSONAL = ("13912345678", "110101199003078035", "上塘村12号", "李四")


def public_pages(client, case) -> list[str]:
    """The board, the case page and the API's board, case and similar-cases answers (JSON
    written out with its Chinese as is), as an anonymous visitor sees them."""
    client.logout()
    pages = []
    for url in ("/wenzheng/", f"/wenzheng/cases/{case.pk}/", "/api/v1/wenzheng/cases",
                f"/api/v1/wenzheng/cases/{case.pk}",
                "/api/v1/wenzheng/similar?q=小区路灯坏了一个月"):
        response = client.get(url)
        pages.append(json.dumps(response.json(), ensure_ascii=False, default=str)
                     if url.startswith("/api/") else response.content.decode())
    return pages


def test_a_units_public_progress_note_waits_for_review_and_goes_out_masked(client, wz):
    case, assignment = dispatch_simple(client, wz, wz.county.housing)
    client.force_login(wz.unit_handler)
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
    note = "已联系李四（13912345678），上塘村12号门口的灯杆本周更换"
    response = client.post(f"/api/v1/wenzheng/work/{assignment.pk}/progress",
                           {"note": note, "public": True}, content_type="application/json")
    assert response.status_code == 200
    # Not public yet: neither the board nor the API shows it.
    assert not any("灯杆本周更换" in page for page in public_pages(client, case))
    # The newsroom has it waiting, in its screen and its inbox.
    client.force_login(wz.handler)
    screen = client.get("/admin/wenzheng_replies/").content.decode()
    assert "灯杆本周更换" in screen
    todo = notices_of(wz.handler, "wenzheng_review", open_todo=True).get()
    progress = case.progress_notes.get()
    client.post("/admin/wenzheng_replies/", {"progress": progress.pk, "decision": "approve",
                                             "text": note})
    todo.refresh_from_db()
    assert todo.done_at is not None
    pages = public_pages(client, case)
    assert "灯杆本周更换" in pages[1] and "灯杆本周更换" in pages[3]
    for page in pages:
        for secret in PERSONAL:
            assert secret not in page, secret
    assert "李*" in pages[1] and "139****5678" in pages[1] and "上塘村**号" in pages[1]
    # The citizen heard of it.
    assert notices_of(wz.resident, "wenzheng_update").filter(title__contains="办理进展").exists()


def test_a_refused_progress_note_never_appears(client, wz):
    case, assignment = dispatch_simple(client, wz, wz.county.housing)
    client.force_login(wz.unit_handler)
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "progress", "public": "1",
                                                     "note": "反映人家里情况复杂，不便多说"})
    progress = case.progress_notes.get()
    client.force_login(wz.handler)
    answer = client.post("/admin/wenzheng_replies/", {"progress": progress.pk,
                                                      "decision": "refuse", "note": ""},
                         follow=True)
    assert "请填写审核意见" in answer.content.decode()
    client.post("/admin/wenzheng_replies/", {"progress": progress.pk, "decision": "refuse",
                                             "note": "涉及隐私"})
    assert not any("情况复杂" in page for page in public_pages(client, case))
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PROGRESS_REFUSED).exists()


def test_every_public_text_is_masked(client, wz):
    case, assignment = dispatch_simple(
        client, wz, wz.county.housing, title="李四家门口13912345678路灯坏了",
        description="我叫李四，电话13912345678，身份证110101199003078035，上塘村12号门口路灯坏了。")
    client.force_login(wz.unit_handler)
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
    client.post(f"/wenzheng/work/{assignment.pk}/", {
        "action": "reply", "text": "已联系李四先生（13912345678），上塘村12号路灯已修复。"})
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_replies/", {"reply": case.replies.get().pk,
                                             "decision": "approve"})
    pages = public_pages(client, case)
    for page in pages:
        for secret in PERSONAL:
            assert secret not in page, secret
    assert "路灯已修复" in pages[1]


def test_the_newsroom_redacts_before_publication_and_withdraws_later_all_logged(client, wz):
    case = submit(wz, description="上塘村村口路灯坏了，村支书王某某天天喝酒不管事，大家都很气愤。")
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_triage/", {
        "case": case.pk, "action": "accept", "track": "1", "priority": "normal", "public": "1",
        "public_title": "小区路灯坏了一个月",
        "public_description": "上塘村村口路灯坏了，大家都很着急。"})
    pages = public_pages(client, case)
    assert "喝酒" not in pages[1] and "大家都很着急" in pages[1]
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_dispatch/", {"case": case.pk, "action": "unit",
                                              "unit": wz.county.housing.pk})
    entry = CaseEvent.objects.get(case=case, kind=EventKind.DISPATCHED)
    assert "已转县住房和城乡建设局办理" in public_pages(client, case)[1]
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_cases/", {"case": case.pk, "action": "withdraw_entry",
                                           "event": entry.pk, "reason": "单位名称有误"})
    assert "已转县住房和城乡建设局办理" not in public_pages(client, case)[1]
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_cases/", {"case": case.pk, "action": "withdraw",
                                           "reason": "涉及他人名誉"})
    client.logout()
    assert client.get(f"/wenzheng/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/wenzheng/cases/{case.pk}").status_code == 404
    log = {e.kind: e for e in CaseEvent.objects.filter(case=case).select_related("actor")}
    for kind in (EventKind.REDACTED, EventKind.ENTRY_WITHDRAWN, EventKind.WITHDRAWN):
        assert log[kind].actor == wz.handler and not log[kind].public
    assert log[EventKind.WITHDRAWN].note == "涉及他人名誉"
    # The internal log keeps the withdrawn entry; the citizen is told the case left the board.
    assert CaseEvent.objects.get(pk=entry.pk).withdrawn_at is not None
    told = notices_of(wz.resident, "wenzheng_update")
    assert told.filter(title__contains="不在问政广场").exists()


def test_abuse_reports_queue_in_the_console_with_counts_and_recorded_handling(client, wz,
                                                                            make_user):
    case, _ = dispatch_simple(client, wz, wz.county.housing)
    for reporter, reason in ((wz.other_resident, "内容有人身攻击"), (make_user(), "泄露他人住址")):
        client.force_login(reporter)
        client.post(f"/wenzheng/cases/{case.pk}/report/", {"reason": reason})
    client.force_login(wz.handler)
    queue = client.get("/admin/wenzheng_reports/").content.decode()
    assert "待处理 2 条" in queue and "泄露他人住址" in queue
    assert notices_of(wz.handler, "wenzheng_review", open_todo=True).filter(
        title__contains="被举报").count() == 1
    client.post("/admin/wenzheng_reports/", {
        "case": case.pk, "outcome": "redacted", "note": "删去住址",
        "public_title": "小区路灯坏了一个月", "public_description": "村口路灯坏了一个月。"})
    reports = AbuseReport.objects.filter(case=case)
    assert all(r.outcome == "redacted" and r.handled_by == wz.handler and r.handled_at
               for r in reports)
    assert "村口路灯坏了一个月。" in public_pages(client, case)[1]
    client.force_login(wz.handler)
    assert "待处理 2 条" not in client.get("/admin/wenzheng_reports/").content.decode()
    assert not notices_of(wz.handler, "wenzheng_review", open_todo=True).exists()
    handled = CaseEvent.objects.get(case=case, kind=EventKind.REPORT_HANDLED)
    assert handled.data == {"outcome": "redacted", "reports": 2}
