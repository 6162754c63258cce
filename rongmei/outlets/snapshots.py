"""The snapshot dict the newsroom hands over: its shape, checked before anything is stored."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit

from rongmei.core.errors import ServiceError

TYPES = {"text", "picture", "video", "audio"}
REQUIRED = ("story_key", "uri", "type", "headline", "published_at")
TEXT_KEYS = ("summary", "body_html", "body_text", "byline", "editor", "source", "channel",
             "unit", "place", "updated_at", "correction_note")


def _bad(field: str, message: str):
    return ServiceError("invalid_snapshot", message, field=field, status=422)


def _iso(value, field):
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        raise _bad(field, f"快照字段 {field} 不是有效的 ISO-8601 时间") from None


def _abs_url(value, field):
    parts = urlsplit(str(value or ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad(field, f"快照字段 {field} 必须是完整的网址（http/https）")


def validate_snapshot(snapshot: dict) -> dict:
    """Return a clean copy of ``snapshot`` or raise ``ServiceError('invalid_snapshot')``."""
    if not isinstance(snapshot, dict):
        raise _bad("snapshot", "发布快照格式不正确")
    for key in REQUIRED:
        if not snapshot.get(key):
            raise _bad(key, f"发布快照缺少必填字段 {key}")
    data = dict(snapshot)
    if not isinstance(data["story_key"], str) or len(data["story_key"]) > 100:
        raise _bad("story_key", "稿件标识必须是不超过100个字符的文本")
    if data["type"] not in TYPES:
        raise _bad("type", "稿件类型只能是 text、picture、video 或 audio")
    _abs_url(data["uri"], "uri")
    _iso(data["published_at"], "published_at")
    if data.get("updated_at"):
        _iso(data["updated_at"], "updated_at")
    for key in TEXT_KEYS:
        if data.get(key) is None:
            data.pop(key, None)
        elif not isinstance(data[key], str):
            raise _bad(key, f"快照字段 {key} 必须是文本")
    data["original"] = bool(data.get("original", False))
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _bad("tags", "标签必须是文本列表")
    data["tags"] = tags
    cover = data.get("cover")
    if cover is not None and (not isinstance(cover, dict) or not cover.get("file")):
        raise _bad("cover", "封面必须包含文件名（file）")
    images = data.get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, dict) and i.get("file")
                                               for i in images):
        raise _bad("images", "正文图片必须是包含文件名（file）的列表")
    data["images"] = images
    video = data.get("video")
    if video is not None and (not isinstance(video, dict) or not video.get("file")):
        raise _bad("video", "视频必须包含文件名（file）")
    versions = data.get("versions") or {}
    if not isinstance(versions, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) for k, v in versions.items()):
        raise _bad("versions", "多端版本必须是以渠道编号为键的对象")
    data["versions"] = versions
    try:  # stored as JSON: a round trip makes equal content compare equal to what is stored
        return json.loads(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError):
        raise _bad("snapshot", "发布快照只能包含文本、数字、列表和对象（时间请用 ISO-8601 文本）") from None
