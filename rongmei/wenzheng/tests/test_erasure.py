"""Personal data really goes: account deletion and the retention purge reach every 问政
table that can hold a citizen's personal data — this file enumerates the app's models, so a
new one cannot be forgotten — and a video's container metadata (its location) never gets
stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from rongmei.core import crypto
from rongmei.notices.models import Notice
from rongmei.wenzheng import services
from rongmei.wenzheng.models import Case, CaseAttachment, CaseFollow, Track
from rongmei.wenzheng.services.erasure import NO_PERSONAL_DATA, PERSONAL_DATA

from .conftest import jpeg_with_gps, submit

pytestmark = pytest.mark.django_db

MARKERS = ("13912345678", "李四", "上塘村12号", "110101199003078035")
TEXT = "我叫李四，电话13912345678，身份证110101199003078035，住上塘村12号"


def test_every_model_of_the_app_is_classified_for_personal_data():
    names = {m.__name__ for m in apps.get_app_config("wenzheng").get_models()}
    listed = {m.__name__ for m in PERSONAL_DATA} | set(NO_PERSONAL_DATA)
    assert names == listed, f"classify in services/erasure.py: {names ^ listed}"
    for model, fields in PERSONAL_DATA.items():
        for name in fields:
            model._meta.get_field(name)  # every listed field exists


def leftovers() -> list[str]:
    """Every marker found in any text, JSON or encrypted field of any 问政 row or notice."""
    found = []
    for model in list(apps.get_app_config("wenzheng").get_models()) + [Notice]:
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        for row in model.objects.all():
            for field in fields:
                value = getattr(row, field.attname)
                value = str(value) if value is not None else ""
                if field.name.endswith("_encrypted") and value:
                    value = crypto.decrypt(value)
                found += [f"{model.__name__}.{field.name}: {m}" for m in MARKERS if m in value]
    return found


def seed(wz, make_user):
    """Two cases of the resident full of personal data: one closed (track ①, with every
    step a citizen and a unit can take), one still being handled (track ③)."""
    closed = submit(wz, description=TEXT, address="上塘村12号", photos=[jpeg_with_gps()],
                    extra={"since": "2026-05-01"})
    h, u = wz.handler, wz.unit_handler
    services.case_request_info(actor=h, case_id=closed.pk, question="李四家的门牌是多少？")
    services.case_add_info(user=wz.resident, case_id=closed.pk, text=TEXT)
    services.case_accept(actor=h, case_id=closed.pk, track=Track.SIMPLE,
                         public_description=TEXT + "（已编辑）")
    a = services.dispatch_to_unit(actor=h, case_id=closed.pk, unit_id=wz.county.housing.pk,
                                  contact_note=TEXT)
    services.assignment_acknowledge(actor=u, assignment_id=a.pk)
    services.contact_log(actor=u, assignment_id=a.pk, method="phone", note=TEXT)
    services.progress_note(actor=u, assignment_id=a.pk, note=TEXT, public=True)
    services.progress_review(actor=h, note_id=closed.progress_notes.get().pk, approve=True)
    ext = services.extension_request(actor=u, assignment_id=a.pk, days=2, reason=TEXT)
    services.request_decide(actor=h, request_id=ext.pk, approve=True, note="同意，李四已知悉")
    reply = services.reply_draft(actor=u, assignment_id=a.pk, text=TEXT)
    services.reply_review(actor=h, reply_id=reply.pk, approve=True)
    services.abuse_report(user=wz.other_resident, case_id=closed.pk, reason=TEXT[:60])
    services.case_rate(user=wz.resident, case_id=closed.pk, satisfaction="basic",
                       resolved=True, comment=TEXT)
    open_case = submit(wz, title="上塘村12号旁污水直排", description=TEXT,
                       photos=[jpeg_with_gps()])
    services.case_accept(actor=h, case_id=open_case.pk, track=Track.COMPLEX)
    briefing = services.briefing_draft(actor=h, case_id=open_case.pk, title="关于李四反映的问题",
                                       body=TEXT)
    services.briefing_send_for_review(actor=h, briefing_id=briefing.pk)
    services.briefing_review(actor=wz.reviewer, briefing_id=briefing.pk, approve=True)
    services.briefing_submit(actor=h, briefing_id=briefing.pk)
    services.notice_issue(actor=wz.propaganda, briefing_id=briefing.pk,
                          lead_unit_id=wz.county.housing.pk, requirements=TEXT)
    services.instruction_record(actor=wz.propaganda, case_id=open_case.pk, leader="县长",
                                text=TEXT)
    other = submit(wz, user=make_user(), title="别人的问题也要修路灯", contact_name="王五",
                   contact_phone="13800002222")
    services.case_accept(actor=h, case_id=other.pk, track=Track.SIMPLE)
    services.case_follow(user=wz.resident, case_id=other.pk, kind="same")
    assert leftovers()  # the seed really holds the markers everywhere
    return closed, open_case


def test_account_deletion_erases_the_citizen_from_every_wenzheng_table(client, wz, make_user):
    closed, open_case = seed(wz, make_user)
    files = [a.file.name for a in CaseAttachment.objects.all()]
    client.force_login(wz.resident)
    client.post("/me/delete/", {"confirm": "确认注销"})
    assert leftovers() == []
    assert not CaseAttachment.objects.exists()
    from django.core.files.storage import default_storage

    assert not any(default_storage.exists(name) for name in files)
    assert not Case.objects.filter(user=wz.resident).exists()
    assert not CaseFollow.objects.filter(user=wz.resident).exists()
    # The open case goes on for the unit, with the matter masked and no one to contact.
    open_case.refresh_from_db()
    assert "李*" in open_case.description and "139****5678" in open_case.description
    lead = open_case.assignments.get(role="lead")
    client.force_login(wz.unit_handler)
    contact = client.get(f"/api/v1/wenzheng/work/{lead.pk}/contact?reveal=true").json()
    assert contact["phone"] == "" and contact["name"] == ""
    # The closed one is an anonymous skeleton: still counted.
    closed.refresh_from_db()
    assert closed.purged_at is not None and closed.ratings.count() == 1


def test_the_retention_purge_reaches_every_table(wz, make_user):
    closed, _ = seed(wz, make_user)
    later = timezone.now() + timedelta(days=1096)
    import time_machine

    with time_machine.travel(later, tick=False):
        call_command("wenzheng_purge")
    closed.refresh_from_db()
    assert closed.purged_at is not None and closed.user is None and not closed.is_public
    # Only the open case may still hold the citizen's data; the closed one holds none.
    assert leftovers_of(closed) == []


def leftovers_of(case) -> list[str]:
    """Markers left in the rows of one case."""
    found = []
    related = {Case: {"pk": case.pk}}
    for model in apps.get_app_config("wenzheng").get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "case" in names:
            related[model] = {"case": case}
        elif "assignment" in names:
            related[model] = {"assignment__case": case}
    for model, lookup in related.items():
        fields = [f for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        for row in model.objects.filter(**lookup):
            for field in fields:
                value = getattr(row, field.attname)
                value = str(value) if value is not None else ""
                if field.name.endswith("_encrypted") and value:
                    value = crypto.decrypt(value)
                found += [f"{model.__name__}.{field.name}: {m}" for m in MARKERS if m in value]
    for notice in Notice.objects.filter(about=f"wenzheng.case:{case.pk}"):
        found.append(f"Notice {notice.pk}")
    return found


def test_a_video_is_stored_without_its_location(client, wz, video_with_location):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(wz.resident)
    response = client.post("/api/v1/wenzheng/mine", {
        "category_id": wz.category.pk, "title": "路口积水很深", "idempotency_key": "video-1",
        "description": "荷塘镇上塘村路口积水很深，车辆无法通行。",
        "area_id": wz.county.shangtang.pk,
        "video": SimpleUploadedFile("clip.mp4", video_with_location, content_type="video/mp4")})
    assert response.status_code == 200, response.content
    stored = CaseAttachment.objects.get(kind="video")
    data = stored.file.open("rb").read()
    assert b"+27.8333+116.3333" not in data and b"SecretTitle" not in data
    assert b"SecretPhone" not in data and b"Lavf" not in data
    from rongmei.core import ffmpeg

    info = ffmpeg.probe(stored.file.path)
    assert info.has_video and info.has_audio  # the picture and the sound are still there


def test_a_file_that_is_not_a_video_is_refused(client, wz):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(wz.resident)
    fake = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200  # the right signature, nothing inside
    response = client.post("/api/v1/wenzheng/mine", {
        "category_id": wz.category.pk, "title": "路口积水很深", "idempotency_key": "video-2",
        "description": "荷塘镇上塘村路口积水很深，车辆无法通行。",
        "area_id": wz.county.shangtang.pk,
        "video": SimpleUploadedFile("clip.mp4", fake, content_type="video/mp4")})
    assert response.status_code == 400 and response.json()["code"] == "video_format"
    assert not Case.objects.exists()
