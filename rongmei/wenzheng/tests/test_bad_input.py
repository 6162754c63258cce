"""Bad input answers with a clear Chinese message and a stable code, never a 500, and
nothing is half-saved: no case, no attachment, no file left behind."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.wenzheng import services
from rongmei.wenzheng.models import Case, CaseAttachment

from .conftest import jpeg_with_gps, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fields, code, field", [
    ({"title": ""}, "required", "title"),
    ({"description": "太短"}, "too_short", "description"),
    ({"category_id": 999999}, "invalid_category", "category"),
    ({"category_id": "abc"}, "invalid_category", "category"),
    ({"address": "", "area_id": None, "latitude": None, "longitude": None},
     "location_required", "address"),
    ({"latitude": "999", "longitude": "1"}, "invalid_location", "latitude"),
    ({"area_id": 999999}, "invalid_area", "area"),
    ({"contact_phone": "abc"}, "invalid_phone", "contact_phone"),
    ({"extra": {"since": "昨天"}}, "invalid", "extra.since"),
    ({"photos": [SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")]},
     "image_invalid", "photos"),
    ({"photos": [SimpleUploadedFile("big.jpg", b"x" * (10 * 1024 * 1024 + 1))]},
     "image_too_large", "photos"),
    ({"video": SimpleUploadedFile("v.mp4", b"this is no video at all")}, "video_format", "video"),
    ({"photos": [jpeg_with_gps(), jpeg_with_gps(), jpeg_with_gps(), jpeg_with_gps(),
                 jpeg_with_gps(), jpeg_with_gps(), jpeg_with_gps()]}, "too_many_photos", "photos"),
])
def test_bad_submissions_are_refused_in_chinese_and_leave_nothing(wz, settings, fields, code,
                                                                  field):
    with pytest.raises(ServiceError) as excinfo:
        submit(wz, **fields)
    assert excinfo.value.code == code and excinfo.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in excinfo.value.message)
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not list(media.rglob("*.*")) if media.exists() else True


def test_api_answers_bad_input_with_json_errors(client, wz):
    client.force_login(wz.resident)
    response = client.post("/api/v1/wenzheng/mine", {
        "category_id": wz.category.pk, "title": "", "description": "路灯坏了很久很久了，请处理",
        "idempotency_key": "k1", "address": "上塘村"})
    assert response.status_code == 400
    assert response.json() == {"code": "required", "message": "请填写标题", "field": "title"}
    response = client.post("/api/v1/wenzheng/mine", {
        "category_id": wz.category.pk, "title": "路灯坏了", "description": "路灯坏了很久很久了，请处理",
        "idempotency_key": "k1", "address": "上塘村",
        "photos": SimpleUploadedFile("x.png", b"<svg>", content_type="image/png")})
    assert response.status_code == 400 and response.json()["code"] == "image_invalid"
    response = client.post("/api/v1/wenzheng/mine/abc/rate", {}, content_type="application/json")
    assert response.status_code == 422 and "整数" in response.json()["message"]
    response = client.post("/api/v1/wenzheng/mine/1/rate", "{oops",
                           content_type="application/json")
    assert response.status_code in (400, 422)
    assert Case.objects.count() == 0


def test_submission_is_idempotent_and_returns_a_receipt(client, wz):
    client.force_login(wz.resident)
    data = {"category_id": wz.category.pk, "title": "路灯坏了", "idempotency_key": "same-key",
            "description": "村口路灯坏了很久很久了，请处理", "area_id": wz.county.shangtang.pk,
            "photos": jpeg_with_gps()}
    first = client.post("/api/v1/wenzheng/mine", data)
    data["photos"] = jpeg_with_gps()
    second = client.post("/api/v1/wenzheng/mine", data)
    assert first.status_code == second.status_code == 200
    assert first.json()["receipt_no"] == second.json()["receipt_no"]
    assert Case.objects.count() == 1 and CaseAttachment.objects.count() == 1


def test_forged_ids_and_wrong_states(wz):
    case = submit(wz)
    with pytest.raises(NotFoundError):
        services.case_accept(actor=wz.handler, case_id="1; drop table", track=1)
    with pytest.raises(NotFoundError):
        services.assignment_acknowledge(actor=wz.unit_handler, assignment_id=987654)
    with pytest.raises(ServiceError) as excinfo:
        services.case_rate(user=wz.resident, case_id=case.pk, satisfaction="satisfied",
                           resolved=True)
    assert excinfo.value.code == "wrong_state" and excinfo.value.status == 409
    with pytest.raises(ServiceError) as excinfo:
        services.case_accept(actor=wz.handler, case_id=case.pk, track=7)
    assert excinfo.value.code == "invalid_track"


def test_per_user_rate_limit_on_submissions(wz):
    for _ in range(5):
        submit(wz)
    with pytest.raises(ServiceError) as excinfo:
        submit(wz)
    assert excinfo.value.code == "rate_limited" and excinfo.value.status == 429


def test_sensitive_words_are_refused_by_the_word_gate(wz, make_user):
    from rongmei.wordgate.services import word_create

    word_create(actor=make_user("operator"), word="违禁测试词")
    with pytest.raises(ServiceError) as excinfo:
        submit(wz, title="路灯坏了违禁测试词")
    assert excinfo.value.code == "sensitive_words" and excinfo.value.field == "title"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in excinfo.value.message)
    assert Case.objects.count() == 0
