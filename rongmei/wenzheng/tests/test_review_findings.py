"""Findings of the adversarial review of 问政 (issue 14), each through the door the reviewer
used: the public API, the unit workspace API and the console screens."""

from __future__ import annotations

import pytest

from .conftest import dispatch_simple

pytestmark = pytest.mark.django_db


# --- 5. another unit's handler learns nothing about a case it does not hold ------------------

def test_another_units_handler_is_told_nothing_about_the_holding_unit(client, wz):
    _case, assignment = dispatch_simple(client, wz, wz.county.housing)
    client.force_login(wz.other_unit_handler)
    foreign = client.get(f"/api/v1/wenzheng/work/{assignment.pk}/contact")
    missing = client.get("/api/v1/wenzheng/work/99999999/contact")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert wz.county.housing.name not in foreign.content.decode()
    for action in ("acknowledge", "return"):
        answer = client.post(f"/api/v1/wenzheng/work/{assignment.pk}/{action}",
                             {"reason": "非本单位职责范围内的事项"}, content_type="application/json")
        assert answer.status_code == 404, answer.content
        assert wz.county.housing.name not in answer.content.decode()


# --- 1. masking holds whatever separators, numerals or house-number forms are used ----------

MASKED = {
    "电话138.1234.5678": "13812345678",
    "或1381-234-5678": "13812345678",
    "手机一三八一二三四五六七八": "一三八一二三四五六七八",
    "身份证110101 19900307 1234": "110101199003071234",
    "车牌赣A·12345": "12345",
    "住3号楼2单元501": "501",
    "门牌501房": "501",
}


def _digits(text: str) -> str:
    """The digits of ``text`` in ASCII (full-width and Chinese numerals read as digits)."""
    import unicodedata

    cn = dict(zip("〇零幺一二三四五六七八九", "001123456789", strict=True))
    return "".join(cn.get(ch) or (str(unicodedata.digit(ch)) if ch.isdigit() else ch.upper())
                   for ch in text if ch.isdigit() or ch in cn or ch in "Xx")


def test_progress_notes_are_masked_in_the_review_preview_and_on_the_public_timeline(client, wz):
    case, assignment = dispatch_simple(client, wz, wz.county.housing)
    client.force_login(wz.unit_handler)
    client.post(f"/wenzheng/work/{assignment.pk}/", {"action": "acknowledge"})
    note = "；".join(MASKED) + "，灯杆本周更换"
    response = client.post(f"/api/v1/wenzheng/work/{assignment.pk}/progress",
                           {"note": note, "public": True}, content_type="application/json")
    assert response.status_code == 200, response.content
    client.force_login(wz.handler)
    screen = client.get("/admin/wenzheng_replies/").content.decode()
    preview = screen.split("公开时显示为（系统自动脱敏后）：", 1)[1].split("</q>", 1)[0]
    progress = case.progress_notes.get()
    client.post("/admin/wenzheng_replies/", {"progress": progress.pk, "decision": "approve",
                                             "text": note})
    client.logout()
    timeline = client.get(f"/api/v1/wenzheng/cases/{case.pk}").json()["timeline"]
    public = next(e["text"] for e in timeline if "灯杆本周更换" in e["text"])
    page = client.get(f"/wenzheng/cases/{case.pk}/").content.decode()
    for shown in (preview, public, page):
        assert "灯杆本周更换" in shown
        for secret in MASKED.values():
            assert secret not in shown and secret not in _digits(shown), (secret, shown)
    assert "138.****.5678" in public and "*号楼*单元***" in public and "门牌***房" in public
    assert "赣A·" in public and "一三八****五六七八" in public


def test_masking_property_separators_anywhere_between_digits():
    """Property: a mobile or ID number written with any mix of separators between any of its
    digits (ASCII, full-width or Chinese numerals) never comes out whole — only its first
    three and last four digits survive."""
    import random

    from rongmei.core.masking import mask_personal_text

    rng = random.Random(20261202)
    separators = [" ", "  ", ".", "-", " - ", "·", "/", "_", "—", "．", "－", "\u3000", "(", ")",
                  "~", "・"]
    cn = "〇一二三四五六七八九"
    full = "０１２３４５６７８９"
    for _ in range(800):
        if rng.random() < 0.6:
            number = "1" + rng.choice("3456789") + "".join(
                rng.choice("0123456789") for _ in range(9))
        else:
            number = (f"{rng.randint(110000, 659999)}{rng.randint(1950, 2015)}"
                      f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                      f"{rng.randint(0, 999):03d}{rng.choice('0123456789X')}")
        style = rng.choice(["ascii", "cn", "full"])
        written = ""
        for k, digit in enumerate(number):
            if digit != "X":
                digit = {"ascii": digit, "cn": cn[int(digit)], "full": full[int(digit)]}[style]
            written += digit
            if k < len(number) - 1 and rng.random() < 0.35:
                written += rng.choice(separators)
        text = f"请联系{written}，谢谢"
        shown = mask_personal_text(text)
        left = _digits(shown)
        assert number not in left, (text, shown)
        assert left == number[:3] + number[-4:], (text, shown)


# --- 2. similar cases match only what the public sees, and are rate-limited -----------------

def _similar(client, q):
    response = client.get("/api/v1/wenzheng/similar", {"q": q})
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()]


def test_similar_cases_match_only_the_public_masked_and_redacted_text(client, wz):
    named, _ = dispatch_simple(client, wz, wz.county.housing, contact_name="王大锤",
                               title="王大锤家门口路灯坏了一个月")
    phoned, _ = dispatch_simple(client, wz, wz.county.housing,
                                title="13812345678楼下路灯坏了一个月")
    rude, _ = dispatch_simple(client, wz, wz.county.housing, title="村支书天天喝酒路灯坏了不修")
    client.logout()
    board = client.get(f"/api/v1/wenzheng/cases/{named.pk}").json()
    assert board["title"].startswith("王*锤")
    assert named.pk in _similar(client, "家门口路灯坏了一个月")  # what the public sees matches
    assert _similar(client, "王大锤") == []
    assert _similar(client, "13812345678") == []
    assert _similar(client, "138 1234 5678") == []
    assert rude.pk in _similar(client, "支书天天喝酒")
    client.force_login(wz.handler)
    response = client.post(f"/admin/wenzheng_cases/?case={rude.pk}", {
        "case": rude.pk, "action": "redact", "public_title": "村里路灯坏了不修",
        "public_description": "村口路灯坏了，大家都很着急。", "reason": "删去对个人的评价"})
    assert response.status_code in (200, 302)
    rude.refresh_from_db()
    assert rude.public_title == "村里路灯坏了不修"
    client.logout()
    assert _similar(client, "支书天天喝酒") == []
    assert rude.pk in _similar(client, "村里路灯坏了不修")
    assert phoned.pk not in _similar(client, "13812345678楼下")


def test_similar_cases_are_rate_limited(client, wz, monkeypatch):
    from rongmei.wenzheng import api

    monkeypatch.setattr(api, "SIMILAR_PER_MINUTE", 3)
    client.force_login(wz.resident)
    for _ in range(3):
        assert client.get("/api/v1/wenzheng/similar", {"q": "路灯坏了"}).status_code == 200
    limited = client.get("/api/v1/wenzheng/similar", {"q": "路灯坏了"})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    client.logout()  # an address alone gets four times the account's allowance (shared NAT)
    answers = [client.get("/api/v1/wenzheng/similar", {"q": "路灯坏了"}).status_code
               for _ in range(12)]
    assert answers.count(429) >= 4 and answers[-1] == 429


# --- 4. an emptied or reset year falls back; it never becomes "no holidays" -----------------

def test_a_year_emptied_day_by_day_or_reset_falls_back_to_the_builtin_or_not_entered(
        client, wz, make_user):
    import time_machine

    from rongmei.core.roles import OPERATOR
    from rongmei.wenzheng import workdays
    from rongmei.wenzheng.holidays import HolidayDay, HolidaySchedule
    from rongmei.wenzheng.models import CaseDeadline, DeadlineStep

    from .conftest import at, local_day, submit

    operator = make_user(OPERATOR)
    client.force_login(operator)

    def add_then_delete(year, day):
        client.post(f"/admin/wenzheng_holidays/?year={year}",
                    {"action": "add", "day": day, "kind": "holiday", "name": "测试"})
        entry = HolidayDay.objects.get(day=day)
        client.post(f"/admin/wenzheng_holidays/?year={year}",
                    {"action": "delete", "entry": entry.pk})

    with time_machine.travel(at("2026-11-02", "09:00"), tick=False) as clock:
        add_then_delete(2027, "2027-02-10")
        screen = client.get("/admin/wenzheng_holidays/?year=2027").content.decode()
        assert "未录入：按周一至周五计算" in screen and "已录入" not in screen
        assert 'data-testid="calendar-warning"' in client.get("/admin/").content.decode()
        assert workdays.current().source(2027) == "weekdays"

        add_then_delete(2026, "2026-11-20")
        screen = client.get("/admin/wenzheng_holidays/?year=2026").content.decode()
        assert "内置日历" in screen and "已录入" not in screen
        assert not workdays.is_workday(workdays.date(2026, 10, 1))  # National Day again
        # Deadline arithmetic on the built-in calendar: 30 September + 1 working day.
        clock.move_to(at("2026-09-30", "10:00"))
        case = submit(wz)
        due = CaseDeadline.objects.filter(case=case, step=DeadlineStep.REVIEW).latest("pk")
        assert local_day(due.due_at) == local_day(workdays.due_after(at("2026-09-30"), 1))
        assert local_day(due.due_at) > "2026-10-07"

        # A whole entered year reset from the console.
        clock.move_to(at("2026-11-02", "09:00"))
        client.post("/admin/wenzheng_holidays/?year=2026",
                    {"action": "add", "day": "2026-10-01", "kind": "workday", "name": "测试"})
        assert workdays.current().source(2026) == "entered"
        assert "恢复2026年为内置日历" in client.get(
            "/admin/wenzheng_holidays/?year=2026").content.decode()
        response = client.post("/admin/wenzheng_holidays/?year=2026",
                               {"action": "reset", "year": "2026"}, follow=True)
        assert "已清除2026年录入的1天" in response.content.decode()
        assert not HolidaySchedule.objects.filter(year=2026).exists()
        assert workdays.current().source(2026) == "package"
        assert not workdays.is_workday(workdays.date(2026, 10, 1))
