"""The one way an uploaded file enters the platform, and the one way it goes back out.

In (every resident, merchant and staff upload: 问政 photos and videos, merchant licences,
covers and posts, product images, staff avatars, Wagtail images):

* the type is decided from the content by a real parser — Pillow decodes images,
  ffprobe reads videos (``rongmei.core.ffmpeg``); the client's file name and declared type
  are never trusted, so an ``.html`` named ``.jpg`` (or a "video" whose bytes 4–8 read
  ``ftyp``) is refused;
* what is stored is *re-made* from the parsed content — an image re-encoded from its pixels
  alone (EXIF with GPS and camera serial, XMP, ICC, JPEG COM comments are gone), a video
  re-multiplexed without container metadata — so a polyglot's payload does not survive;
* the stored name is chosen by the server (a random hex) and its extension from
  :data:`CONTENT_TYPES`, an allow-list;
* images are decoded within a pixel budget (:data:`MAX_PIXELS`, also Pillow's
  ``MAX_IMAGE_PIXELS``), so one upload cannot take a worker's memory.

Out (:func:`serve_user_file`): a server-set ``Content-Type`` from the stored extension,
``X-Content-Type-Options: nosniff``, ``Content-Security-Policy: sandbox`` (a file opened
directly can never run script with the viewer's session), and ``Content-Disposition:
attachment`` for anything that is not an image, video or audio to show.
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.http import FileResponse
from PIL import Image, ImageOps, UnidentifiedImageError

from . import ffmpeg
from .errors import ServiceError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# About 6,000 × 4,000: a 24-megapixel phone photo decodes to ~96 MB (RGBA), well under a
# worker's share of memory; anything larger is refused before its pixels are decoded.
MAX_PIXELS = 24_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Wagtail's own image handling obeys the same budget
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_VIDEO_BYTES = 30 * 1024 * 1024

# The allow-list: every extension a stored user file may have, and the type it is served as.
CONTENT_TYPES = {
    "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif",
    "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
    "mkv": "video/x-matroska", "m4a": "audio/mp4", "mp3": "audio/mpeg", "aac": "audio/aac",
    "avif": "image/avif", "m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf", "txt": "text/plain",
}
INLINE_PREFIXES = ("image/", "video/", "audio/")
SANDBOX_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"

# Video: demuxer family (as in ffprobe's format_name) → muxers to try, in order.
VIDEO_CONTAINERS = (("mov", ("mp4", "mov")), ("matroska", ("webm", "matroska")))
VIDEO_EXTENSIONS = {"mp4": "mp4", "mov": "mov", "webm": "webm", "matroska": "mkv"}
VIDEO_DEMUXERS = ("mov", "mp4", "matroska", "webm")


def stored_name(folder: str, filename: str = "") -> str:
    """A server-chosen path under ``folder``: random name, allow-listed extension.

    Used by every ``upload_to``: whatever name reaches storage, its stem is replaced and an
    extension not in :data:`CONTENT_TYPES` becomes ``.bin`` (served as a download).
    """
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    extension = "jpg" if suffix == "jpeg" else suffix
    if extension not in CONTENT_TYPES:
        extension = "bin"
    return f"{folder.rstrip('/')}/{uuid.uuid4().hex}.{extension}"


def content_type_for(name: str) -> str:
    suffix = Path(name or "").suffix.lower().lstrip(".")
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


# --- images ---------------------------------------------------------------------------------

def _read_limited(upload, *, limit: int, code: str, message: str, field: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ServiceError(code, message, field=field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(code, message, field=field)
    return data


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only ``image``'s pixels: no info dict, no EXIF, no ICC, no COM."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info) else "RGB"
    pixels = image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def clean_image(upload, *, field: str = "image", max_side: int | None = 2560,
                max_bytes: int = MAX_UPLOAD_BYTES, other_formats_as_png: bool = False,
                ) -> ContentFile:
    """Return a metadata-free copy of ``upload`` (JPEG/PNG/WebP), or raise ServiceError.

    The copy is re-encoded from the decoded pixels (upright, at most ``max_side`` on its
    longer side), under a random name with the extension of the format Pillow found.
    ``other_formats_as_png`` accepts any still format Pillow reads (GIF, BMP, …) and stores
    it as PNG, for forms that already promised them (Wagtail's avatar form).
    """
    limit_mb = max_bytes // (1024 * 1024)
    data = _read_limited(upload, limit=max_bytes, code="image_too_large",
                         message=f"图片不能超过{limit_mb}MB", field=field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in IMAGE_FORMATS and other_formats_as_png:
                fmt = "PNG"
            elif fmt not in IMAGE_FORMATS:
                raise ServiceError("image_format", "只支持 JPG、PNG、WebP 格式的图片", field=field)
            if probe.width * probe.height > MAX_PIXELS:
                raise _too_many_pixels(field)
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
        image = ImageOps.exif_transpose(image)
        if max_side:
            image.thumbnail((max_side, max_side))
        image = _pixels_only(image)
    except ServiceError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ServiceError("image_invalid", "无法识别该图片，请重新选择", field=field) from None

    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{IMAGE_FORMATS[fmt]}")


def _too_many_pixels(field: str) -> ServiceError:
    return ServiceError("image_too_large",
                        f"图片尺寸过大（不能超过{MAX_PIXELS // 10_000}万像素），请缩小后再上传",
                        field=field)


# --- video ----------------------------------------------------------------------------------

def _remux_args(source: Path, target: Path, muxer: str) -> list[str]:
    return ["-protocol_whitelist", "file", "-format_whitelist", ",".join(VIDEO_DEMUXERS),
            "-i", str(source), "-map", "0:V:0", "-map", "0:a:0?",
            "-map_metadata", "-1", "-map_chapters", "-1", "-c", "copy",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            *(["-movflags", "+faststart"] if muxer in ("mp4", "mov") else []),
            "-f", muxer, str(target)]


def clean_video(upload, *, field: str = "video", max_bytes: int = MAX_VIDEO_BYTES) -> ContentFile:
    """The upload, re-multiplexed without metadata (MP4/MOV/WebM), or a ServiceError.

    ffprobe decides what the file is (through an allow-listed demuxer, local file only); a
    file with no moving picture is refused. Streams are copied as they are — only the first
    video and first audio stream are kept, ``-map_metadata -1`` drops global and per-stream
    metadata (location, device, time), ``-map_chapters -1`` the chapters, ``+bitexact``
    keeps ffmpeg's own name out.
    """
    if (getattr(upload, "size", 0) or 0) > max_bytes:
        raise ServiceError("video_too_large", f"视频不能超过{max_bytes // (1024 * 1024)}MB",
                           field=field)
    if not ffmpeg.available():
        raise ServiceError("video_unavailable", "暂时无法接收视频，请只上传照片", field=field)
    with tempfile.TemporaryDirectory(prefix="rongmei-video-") as folder:
        source = Path(folder) / "upload"
        written = 0
        upload.seek(0)
        with source.open("wb") as handle:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > max_bytes:
                    raise ServiceError("video_too_large",
                                       f"视频不能超过{max_bytes // (1024 * 1024)}MB", field=field)
                handle.write(chunk)
        upload.seek(0)
        try:
            info = ffmpeg.probe(source, demuxers=VIDEO_DEMUXERS, timeout=30)
        except ffmpeg.FFmpegError:
            raise ServiceError("video_format", "视频无法读取，请换一个 MP4、MOV 或 WebM 文件",
                               field=field) from None
        if not info.has_video:
            raise ServiceError("video_format", "文件中没有视频画面", field=field)
        family = next((c for c in VIDEO_CONTAINERS if c[0] in info.format_name), None)
        if family is None:
            raise ServiceError("video_format", "只支持 MP4、MOV、WebM 格式的视频", field=field)
        for muxer in family[1]:  # MP4 first; MOV (or Matroska) for codecs MP4 cannot carry
            target = Path(folder) / f"clean.{muxer}"
            try:
                ffmpeg.run(_remux_args(source, target, muxer), timeout=120)
            except ffmpeg.FFmpegError:
                continue
            return ContentFile(target.read_bytes(),
                               name=f"{uuid.uuid4().hex}.{VIDEO_EXTENSIONS[muxer]}")
    raise ServiceError("video_format", "视频无法处理，请换一个文件", field=field)


# --- serving --------------------------------------------------------------------------------

_SAFE_DOWNLOAD = re.compile(r"[^\w.\-]+")


def serve_user_file(handle, *, name: str, download_name: str | None = None,
                    private: bool = True) -> FileResponse:
    """Send a stored user file so that it can never act as a page.

    ``name`` is the stored name (its server-chosen extension sets the type). Media to show
    (image/video/audio) goes inline; anything else is a download. Every response carries
    ``nosniff`` and a ``sandbox`` CSP, and private files are never cached.
    """
    content_type = content_type_for(name)
    response = FileResponse(handle, content_type=content_type)
    inline = content_type.startswith(INLINE_PREFIXES)
    filename = _SAFE_DOWNLOAD.sub("_", download_name or Path(name).name) or "file"
    response["Content-Disposition"] = (
        "inline" if inline else f'attachment; filename="{filename}"')
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


# --- documents (Wagtail's document library) ---------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office and WPS files
# Extension → how its content is recognised: "pdf", "ole" (Word/Excel/PowerPoint 97–2003 and
# WPS), an OOXML zip with its part folder, or "text" (UTF-8 or GB18030, no NUL).
DOCUMENT_KINDS = {
    "pdf": "pdf", "doc": "ole", "xls": "ole", "ppt": "ole", "wps": "ole", "et": "ole",
    "docx": "word/", "xlsx": "xl/", "pptx": "ppt/", "txt": "text",
}
DOCUMENT_EXTENSIONS = tuple(DOCUMENT_KINDS)
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def check_document(upload, *, field: str = "file") -> str:
    """The allow-listed extension ``upload`` really is, judged from its content and not from
    its name: a PDF must start as a PDF, a .docx must be an Office Open XML package of a
    Word document, and so on. Raises ServiceError in Chinese otherwise."""
    import zipfile

    extension = Path(upload.name or "").suffix.lower().lstrip(".")
    kind = DOCUMENT_KINDS.get(extension)
    names = "、".join(ext.upper() for ext in DOCUMENT_EXTENSIONS)
    if kind is None:
        raise ServiceError("document_type", f"只支持 {names} 格式的文件", field=field)
    if (upload.size or 0) > MAX_DOCUMENT_BYTES:
        raise ServiceError("document_too_large", "文件不能超过50MB", field=field)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if kind == "pdf":
        matches = head.startswith(b"%PDF-")
    elif kind == "ole":
        matches = head == OLE_MAGIC
    elif kind == "text":
        data = upload.read()
        upload.seek(0)
        matches = b"\x00" not in data and _decodes(data)
    else:
        try:
            with zipfile.ZipFile(upload) as package:
                parts = package.namelist()
            matches = "[Content_Types].xml" in parts and any(
                part.startswith(kind) for part in parts)
        except (zipfile.BadZipFile, OSError, ValueError):
            matches = False
        upload.seek(0)
    if not matches:
        raise ServiceError("document_content",
                           f"文件内容与扩展名 .{extension} 不符，请上传真实的文档", field=field)
    return extension


def _decodes(data: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def rename_new_library_file(sender, instance, **kwargs) -> None:
    """``pre_save`` of Wagtail's image and document models: a newly uploaded file is stored
    under a random name with its allow-listed extension, never the name it came with (a
    name is the uploader's text: it can carry a phone number, a path, or ``.html``)."""
    field = instance.file
    if not field or getattr(field, "_committed", True):
        return
    extension = Path(field.name or "").suffix.lower().lstrip(".")
    allowed = set(CONTENT_TYPES) | set(DOCUMENT_KINDS)
    field.name = f"{uuid.uuid4().hex}.{'jpg' if extension == 'jpeg' else extension}" \
        if extension in allowed | {"jpeg"} else f"{uuid.uuid4().hex}.bin"


# --- Wagtail's image library ------------------------------------------------------------------

def clean_new_wagtail_image(sender, instance, **kwargs) -> None:
    """``pre_save`` of Wagtail's image model: a newly uploaded JPEG/PNG/WebP original is
    re-encoded from its pixels (full size) before it is stored, so a reporter's photo does
    not publish where it was taken (EXIF GPS) or the camera's serial under
    ``/media/original_images/``. Other formats (GIF animations, AVIF) are kept as Wagtail
    checked them."""
    image_file = instance.file
    if not image_file or getattr(image_file, "_committed", True):
        return
    try:
        with Image.open(image_file.file) as probe:
            fmt = probe.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return  # Wagtail's own form refuses what it cannot read
    finally:
        image_file.file.seek(0)
    if fmt not in IMAGE_FORMATS:
        return
    from django.conf import settings

    try:
        cleaned = clean_image(image_file.file, field="file", max_side=None,
                              max_bytes=settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)
    except ServiceError:
        return
    instance.file.save(cleaned.name, cleaned, save=False)
    instance._set_image_file_metadata()
