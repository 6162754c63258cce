"""Access follows the case: a unit's access to the citizen's contact details and attachments
ends when its assignment ends (returned, or done); the measures credit each outcome to the
unit that held the case when it happened."""

from __future__ import annotations

import io

import pytest

from .conftest import answer, dispatch_simple, jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_a_unit_that_returned_a_case_no_longer_opens_its_photos_or_contacts(client, wz):
    case, wrong = dispatch_simple(client, wz, wz.county.baishui, photos=[jpeg_with_gps()])
    photo = case.attachments.get()
    client.force_login(wz.other_unit_handler)
    assert client.get(f"/wenzheng/attachments/{photo.pk}/").status_code == 200
    assert client.get(f"/api/v1/wenzheng/work/{wrong.pk}/contact").status_code == 200
    client.post(f"/wenzheng/work/{wrong.pk}/", {"action": "return",
                                                "reason": "路灯由县住建局负责，非本单位职责"})
    client.force_login(wz.handler)
    request = wrong.requests.get()
    client.post("/admin/wenzheng_dispatch/", {"action": "decide", "request": request.pk,
                                              "decision": "approve"})
    client.force_login(wz.other_unit_handler)
    assert client.get(f"/wenzheng/attachments/{photo.pk}/").status_code == 403
    assert client.get(f"/api/v1/wenzheng/work/{wrong.pk}/contact").status_code in (
        403, 404, 409)
    # The unit now holding it may.
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_dispatch/", {"action": "redispatch", "case": case.pk,
                                              "unit": wz.county.housing.pk})
    client.force_login(wz.unit_handler)
    assert client.get(f"/wenzheng/attachments/{photo.pk}/").status_code == 200


def test_a_unit_loses_the_photos_once_the_case_is_closed(client, wz):
    case, assignment = dispatch_simple(client, wz, wz.county.housing, photos=[jpeg_with_gps()])
    photo = case.attachments.get()
    answer(client, wz, case, assignment)
    client.force_login(wz.resident)
    client.post(f"/wenzheng/mine/{case.pk}/", {"action": "rate", "satisfaction": "satisfied",
                                               "resolved": "yes"})
    client.force_login(wz.unit_handler)
    assert client.get(f"/wenzheng/attachments/{photo.pk}/").status_code == 403
    page = client.get(f"/wenzheng/work/{assignment.pk}/").content.decode()
    assert "承办已结束" in page and f"/wenzheng/attachments/{photo.pk}/" not in page
    client.force_login(wz.handler)  # the newsroom still may
    assert client.get(f"/wenzheng/attachments/{photo.pk}/").status_code == 200


def _unit_rows(client, wz) -> dict:
    from openpyxl import load_workbook

    client.force_login(wz.handler)
    data = client.get("/admin/wenzheng_dashboard/?by=unit&export=xlsx").content
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def test_measures_credit_each_outcome_to_the_unit_holding_the_case(client, wz):
    case, wrong = dispatch_simple(client, wz, wz.county.baishui)
    client.force_login(wz.other_unit_handler)
    client.post(f"/wenzheng/work/{wrong.pk}/", {"action": "acknowledge"})
    client.post(f"/wenzheng/work/{wrong.pk}/", {"action": "return", "reason": "非本单位职责"})
    client.force_login(wz.handler)
    client.post("/admin/wenzheng_dispatch/", {"action": "decide",
                                              "request": wrong.requests.get().pk,
                                              "decision": "approve"})
    client.post("/admin/wenzheng_dispatch/", {"action": "redispatch", "case": case.pk,
                                              "unit": wz.county.housing.pk})
    answer(client, wz, case, case.assignments.get(unit=wz.county.housing))
    client.force_login(wz.resident)
    client.post(f"/wenzheng/mine/{case.pk}/", {"action": "rate", "satisfaction": "unsatisfied",
                                               "resolved": "no"})
    rows = _unit_rows(client, wz)
    returned, answered = rows["白水镇"], rows["县住房和城乡建设局"]
    # 白水镇 let go before anything happened: its return counts, the rating does not.
    assert returned["退单率"] == 1 and returned["满意率"] in (None, "")
    assert returned["按期答复率"] in (None, "") and returned["评价率"] in (None, "")
    assert answered["满意率"] == 0 and answered["解决率"] == 0 and answered["评价率"] == 1
    assert answered["按期答复率"] == 1 and answered["退单率"] == 0
