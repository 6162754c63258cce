"""Fixtures for 企业之家 tests: photos made with Pillow, applications through the service."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

_codes = itertools.count(1)


def png_with_exif(name: str = "licence.png") -> SimpleUploadedFile:
    """A PNG carrying EXIF with a GPS position and a camera make, as phones write them."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (27.0, 15.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 200)).save(buffer, "PNG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def credit_code() -> str:
    return f"91360100{next(_codes):010d}"


def application(**overrides) -> dict:
    """Valid arguments for ``merchant_apply`` (without the applicant)."""
    values = {
        "name": "荷塘鲜果店", "category": "retail", "credit_code": credit_code(),
        "licence_photo": png_with_exif(), "address": "荷塘镇新街12号", "contact_name": "李四",
        "contact_phone": "13912345678", "intro": "本地时令水果", "opening_hours": "8:00—21:00",
    }
    values.update(overrides)
    return values


def stored_files(root, folder: str) -> list[Path]:
    path = Path(root) / folder
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


@pytest.fixture
def apply_for(db):
    """Submit an application through the service, as the H5 form does."""
    from rongmei.merchants.services import merchant_apply

    def submit(user, **overrides):
        return merchant_apply(applicant=user, **application(**overrides))

    return submit


@pytest.fixture
def operator(make_user):
    return make_user("operator")
