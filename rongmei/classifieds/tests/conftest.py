"""Fixtures for 民生信息 tests."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


@pytest.fixture
def operator(make_user):
    from rongmei.core.roles import OPERATOR

    return make_user(OPERATOR)


@pytest.fixture
def categories(db):
    from rongmei.classifieds.demo import CATEGORIES
    from rongmei.classifieds.models import Category

    for code, name, mode, days in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "review_mode": mode, "expiry_days": days})
    return {c.code: c for c in Category.objects.all()}


def jpeg_with_gps(name="room.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (27.0, 15.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


RENT = {"area": "78", "layout": "2室1厅", "price": "900", "floor": "3/6", "community": "解放路小区"}


def rent_post(**overrides) -> dict:
    data = {"category": "house_rent", "title": "解放路两室一厅出租", "body": "家电齐全",
            "fields": dict(RENT), "contact_name": "王先生", "contact_phone": "13912345678"}
    data.update(overrides)
    return data
