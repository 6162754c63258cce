"""Reading story files from storage and preparing images for platforms."""

from __future__ import annotations

import hashlib
import io
import mimetypes

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from .base import FormatError, PermanentError


def read(name: str) -> bytes:
    """The bytes of a stored file (local disk or S3 alike)."""
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise PermanentError(f"找不到文件“{name}”，可能已被删除", str(exc)) from exc


def content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def crop_to_ratio(name: str, *, ratio: float, max_width: int, folder: str) -> dict:
    """Centre-crop a stored image to ``ratio`` (width / height), re-encode it as JPEG without
    metadata, store it and return ``{"file", "width", "height"}``. Same input, same name."""
    try:
        with default_storage.open(name, "rb") as handle:
            image = Image.open(handle)
            image = ImageOps.exif_transpose(image)
            image.load()
    except (FileNotFoundError, OSError) as exc:
        raise FormatError(f"封面图“{name}”无法读取", str(exc)) from exc
    width, height = image.size
    if width / height > ratio:  # too wide: cut the sides
        new_w = round(height * ratio)
        box = ((width - new_w) // 2, 0, (width - new_w) // 2 + new_w, height)
    else:  # too tall: cut top and bottom
        new_h = round(width / ratio)
        box = (0, (height - new_h) // 2, width, (height - new_h) // 2 + new_h)
    image = image.crop(box).convert("RGB")
    if image.width > max_width:
        image = image.resize((max_width, round(max_width / ratio)), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    data = out.getvalue()
    target = f"{folder}/{hashlib.sha256(data).hexdigest()[:32]}.jpg"
    if not default_storage.exists(target):
        target = default_storage.save(target, ContentFile(data))
    return {"file": target, "width": image.width, "height": image.height}
