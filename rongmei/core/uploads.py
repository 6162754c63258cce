"""Checking uploaded images and stripping their metadata.

Every photo a resident or merchant uploads is decoded with Pillow (so a file that only
*claims* to be an image is refused), limited in size and pixel count, and re-encoded from
its pixels alone: EXIF (GPS position, camera serial, time), XMP and comments are gone from
the stored file. Orientation is applied first so the picture still stands upright.
"""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ServiceError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about 7,300 × 5,500; larger is a decompression bomb, not a photo
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def clean_image(upload, *, field: str = "image", max_side: int = 2560) -> ContentFile:
    """Return a metadata-free copy of ``upload`` (JPEG/PNG/WebP), or raise ServiceError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ServiceError("image_too_large", "图片不能超过10MB", field=field)
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError("image_too_large", "图片不能超过10MB", field=field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        fmt = image.format
        if fmt not in ALLOWED_FORMATS:
            raise ServiceError("image_format", "只支持 JPG、PNG、WebP 格式的图片", field=field)
        if image.width * image.height > MAX_PIXELS:
            raise ServiceError("image_too_large", "图片尺寸过大", field=field)
        image = ImageOps.exif_transpose(image)
        image.thumbnail((max_side, max_side))
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError("image_invalid", "无法识别该图片，请重新选择", field=field) from None

    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[fmt]}")
