"""Fixtures for 问政: a county with a category, newsroom staff, a unit handler in 住建局,
a 三长 in 上塘村, 宣传部, and a resident; helpers to make photos and submit cases."""

from __future__ import annotations

import io
import itertools
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongmei.core.roles import (
    DIRECTOR,
    GRID_LEADER,
    PROPAGANDA,
    UNIT_HANDLER,
    WENZHENG_HANDLER,
)

_keys = itertools.count(1)


def jpeg_with_gps(name="photo.jpg") -> SimpleUploadedFile:
    """A real JPEG carrying EXIF with a GPS block and a camera make."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (27.0, 50.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def wz(county, make_user):
    from rongmei.wenzheng.models import CaseCategory

    category = CaseCategory.objects.create(
        name="城乡建设", fields=[{"name": "since", "label": "发生日期", "type": "date",
                                 "required": False}])
    other = CaseCategory.objects.create(name="交通出行")
    handler = make_user(WENZHENG_HANDLER)
    return SimpleNamespace(
        county=county, category=category, other_category=other,
        handler=handler, reviewer=make_user(DIRECTOR),
        unit_handler=make_user(UNIT_HANDLER, unit=county.housing),
        other_unit_handler=make_user(UNIT_HANDLER, unit=county.baishui),
        grid_leader=make_user(GRID_LEADER, unit=county.shangtang),
        other_grid_leader=make_user(GRID_LEADER, unit=county.baishui),
        propaganda=make_user(PROPAGANDA),
        resident=make_user(phone="13912345678", nickname="李四"),
        other_resident=make_user(),
    )


def submit(wz, *, user=None, title="小区路灯坏了一个月", photos=None, **fields):
    from rongmei.wenzheng import services

    values = {"user": user or wz.resident, "category_id": wz.category.pk, "title": title,
              "description": "荷塘镇上塘村村口三盏路灯坏了一个月，晚上出行很不安全。",
              "key": f"k{next(_keys)}", "address": "荷塘镇上塘村村口",
              "area_id": wz.county.shangtang.pk, "latitude": "27.123456",
              "longitude": "116.654321", "contact_name": "李四",
              "contact_phone": "13912345678", "photos": photos}
    values.update(fields)
    return services.case_submit(**values)
