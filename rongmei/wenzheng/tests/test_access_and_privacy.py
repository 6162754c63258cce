"""Role × unit matrix, the anonymised public board, contact details for assigned units only
(logged), the complainant hidden from the unit complained about, and the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.accounts.models import PersonalDataAccess
from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.wenzheng import selectors, services
from rongmei.wenzheng.models import Case, Track

from .conftest import jpeg_with_gps, submit

pytestmark = pytest.mark.django_db


def dispatched_simple(wz, unit, **fields):
    case = submit(wz, **fields)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.SIMPLE)
    return case, services.dispatch_to_unit(actor=wz.handler, case_id=case.pk, unit_id=unit.pk)


def dispatched_grid(wz, **fields):
    case = submit(wz, **fields)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.HARD)
    return case, services.dispatch_to_grid(actor=wz.handler, case_id=case.pk)


def test_each_unit_sees_only_its_own_cases_and_grid_leaders_only_their_area(wz, make_user):
    _, housing = dispatched_simple(wz, wz.county.housing)
    _, baishui = dispatched_simple(wz, wz.county.baishui)
    grid_case, grid = dispatched_grid(wz)
    hetang_handler = make_user("unit_handler", unit=wz.county.hetang)  # parent of 上塘村
    matrix = {
        wz.unit_handler: {housing.pk},
        wz.other_unit_handler: {baishui.pk},
        wz.grid_leader: {grid.pk},
        wz.other_grid_leader: set(),
        hetang_handler: set(),  # a unit handler does not see grid (三长) work in its subtree
        wz.resident: set(),
    }
    for user, expected in matrix.items():
        assert set(selectors.work_queue(user=user).values_list("pk", flat=True)) == expected
        for assignment in (housing, baishui, grid):
            if assignment.pk in expected:
                services.contact_view(viewer=user, case_id=assignment.case_id)
            else:
                with pytest.raises(PermissionDeniedError):
                    services.contact_view(viewer=user, case_id=assignment.case_id)
                with pytest.raises((PermissionDeniedError, NotFoundError)):
                    services.assignment_acknowledge(actor=user, assignment_id=assignment.pk)
    # The newsroom sees everything; a resident cannot triage.
    services.contact_view(viewer=wz.handler, case_id=grid_case.pk)
    with pytest.raises(PermissionDeniedError):
        services.case_accept(actor=wz.resident, case_id=submit(wz).pk, track=1)


def test_h5_work_pages_follow_the_same_matrix(client, wz):
    _, housing = dispatched_simple(wz, wz.county.housing)
    client.force_login(wz.other_unit_handler)
    assert client.get(f"/wenzheng/work/{housing.pk}/").status_code == 404
    assert "小区路灯" not in client.get("/wenzheng/work/").content.decode()
    client.force_login(wz.unit_handler)
    page = client.get(f"/wenzheng/work/{housing.pk}/")
    assert page.status_code == 200 and "小区路灯坏了一个月" in page.content.decode()
    client.force_login(wz.resident)
    assert client.get("/wenzheng/work/").status_code == 403
    assert client.get("/wenzheng/work/999999/").status_code == 403


def test_public_board_never_shows_personal_data(client, wz):
    case, assignment = dispatched_simple(
        wz, wz.county.housing, description="我叫李四，电话13912345678，身份证110101199003078035，家门口路灯坏了。")
    services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=assignment.pk)
    reply = services.reply_draft(actor=wz.unit_handler, assignment_id=assignment.pk,
                                 text="已联系13912345678的李四先生，路灯已修复。")
    services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True)
    private = submit(wz, wants_public=False, title="不愿公开的私事问题")
    services.case_accept(actor=wz.handler, case_id=private.pk, track=Track.SIMPLE)
    pages = [client.get("/wenzheng/").content.decode(),
             client.get(f"/wenzheng/cases/{case.pk}/").content.decode(),
             client.get("/api/v1/wenzheng/cases").content.decode(),
             client.get(f"/api/v1/wenzheng/cases/{case.pk}").content.decode()]
    for body in pages:
        assert "13912345678" not in body and "110101199003078035" not in body
        assert "27.123456" not in body and "116.654321" not in body  # precise location
        assert "荷塘镇上塘村村口" not in body  # the typed address
        assert "不愿公开的私事问题" not in body
    assert "139****5678" in pages[1] and "县住房和城乡建设局" in pages[1]
    assert client.get(f"/wenzheng/cases/{private.pk}/").status_code == 404
    assert client.get(f"/api/v1/wenzheng/cases/{private.pk}").status_code == 404


def test_contact_details_are_masked_logged_and_hidden_from_the_unit_complained_about(wz):
    case, _ = dispatched_simple(wz, wz.county.housing)
    before = PersonalDataAccess.objects.count()
    masked = services.contact_view(viewer=wz.unit_handler, case_id=case.pk)
    assert masked == {"name": "李*", "phone": "139****5678", "masked": True}
    full = services.contact_view(viewer=wz.unit_handler, case_id=case.pk, reveal=True)
    assert full["phone"] == "13912345678"
    assert PersonalDataAccess.objects.count() == before + 2
    assert PersonalDataAccess.objects.filter(viewer=wz.unit_handler, subject=wz.resident).count() == 2
    # A complaint about 住建局, dispatched to 住建局: its handler never sees who complained.
    complaint = submit(wz, title="住建局窗口工作人员态度差")
    services.case_accept(actor=wz.handler, case_id=complaint.pk, track=Track.SIMPLE,
                         subject_unit_id=wz.county.housing.pk)
    services.dispatch_to_unit(actor=wz.handler, case_id=complaint.pk,
                              unit_id=wz.county.housing.pk)
    with pytest.raises(PermissionDeniedError):
        services.contact_view(viewer=wz.unit_handler, case_id=complaint.pk)


def test_another_users_case_is_not_found(client, wz):
    case = submit(wz)
    with pytest.raises(NotFoundError):
        services.case_add_info(user=wz.other_resident, case_id=case.pk, text="冒充补充")
    client.force_login(wz.other_resident)
    assert client.get(f"/wenzheng/mine/{case.pk}/").status_code == 404
    response = client.post(f"/api/v1/wenzheng/mine/{case.pk}/reopen", {"reason": "x"},
                           content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert response.json()["message"] == "问政不存在"


def test_photos_are_private_and_stripped_of_exif(client, wz):
    case = submit(wz, photos=[jpeg_with_gps()])
    attachment = case.attachments.get()
    data = attachment.file.open("rb").read()
    assert attachment.file.name.startswith("private/wenzheng/")
    assert b"Exif" not in data and b"SecretCam" not in data
    assert client.get(f"/wenzheng/attachments/{attachment.pk}/").status_code == 404
    client.force_login(wz.other_resident)
    assert client.get(f"/wenzheng/attachments/{attachment.pk}/").status_code == 404
    client.force_login(wz.other_unit_handler)
    assert client.get(f"/wenzheng/attachments/{attachment.pk}/").status_code == 403
    client.force_login(wz.resident)
    response = client.get(f"/wenzheng/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_retention_purge_erases_personal_data_and_keeps_statistics(wz):
    case, assignment = dispatched_simple(wz, wz.county.housing, photos=[jpeg_with_gps()])
    services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=assignment.pk)
    reply = services.reply_draft(actor=wz.unit_handler, assignment_id=assignment.pk,
                                 text="路灯已经全部修好了，感谢反映。")
    services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True)
    services.case_rate(user=wz.resident, case_id=case.pk, satisfaction="satisfied",
                       resolved=True)
    assert services.purge_expired(now=timezone.now() + timedelta(days=10)) == 0
    assert services.purge_expired(now=timezone.now() + timedelta(days=4000)) == 1
    case = Case.objects.get(pk=case.pk)
    assert case.user is None and case.contact_phone_encrypted == "" and case.latitude is None
    assert case.attachments.count() == 0 and case.purged_at is not None
    from rongmei.wenzheng.measures import case_measures

    row = case_measures(group_by="unit")[0]
    assert row["cases"] == 1 and row["satisfaction_rate"] == 1.0
