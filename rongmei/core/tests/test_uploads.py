"""Uploaded photos are checked and stripped of metadata (GPS, camera, time)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rongmei.core.errors import ServiceError
from rongmei.core.uploads import clean_image


def photo_with_gps(fmt="JPEG") -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"      # Make
    exif[0x0132] = "2026:11:26 10:00:00"
    exif[0x0112] = 6                  # Orientation: rotate 90° when shown
    gps = {1: "N", 2: (27.0, 15.0, 0.0), 3: "E", 4: (116.0, 20.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


def test_exif_and_gps_are_gone_and_orientation_applied():
    cleaned = clean_image(SimpleUploadedFile("a.jpg", photo_with_gps()))
    stored = Image.open(io.BytesIO(cleaned.read()))
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert stored.size == (48, 64)  # rotated upright, then saved without the tag
    assert cleaned.name.endswith(".jpg")


def test_png_keeps_its_format():
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(buffer, "PNG")
    cleaned = clean_image(SimpleUploadedFile("a.png", buffer.getvalue()))
    assert cleaned.name.endswith(".png")


@pytest.mark.parametrize("content,code", [
    (b"not an image at all", "image_invalid"),
    (b"GIF89a" + b"\x00" * 20, "image_invalid"),
    (photo_with_gps()[:200], "image_invalid"),
])
def test_non_images_are_refused(content, code):
    with pytest.raises(ServiceError) as exc:
        clean_image(SimpleUploadedFile("x.jpg", content), field="photo")
    assert exc.value.code == code and exc.value.field == "photo"
    assert "图片" in exc.value.message


def test_other_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ServiceError) as exc:
        clean_image(SimpleUploadedFile("x.gif", buffer.getvalue()))
    assert exc.value.code == "image_format"


def test_oversized_files_are_refused():
    upload = SimpleUploadedFile("big.jpg", b"x" * 10)
    upload.size = 11 * 1024 * 1024
    with pytest.raises(ServiceError) as exc:
        clean_image(upload)
    assert exc.value.code == "image_too_large"
