"""A small HTTP client on urllib (no extra dependency) with multipart uploads, and the
mapping of HTTP answers to transient/permanent delivery errors."""

from __future__ import annotations

import json as jsonlib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

from .base import PermanentError, TransientError


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def json(self):
        try:
            return jsonlib.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise TransientError("平台返回的内容无法解析",
                                 f"HTTP {self.status}: {self.body[:500]!r}") from exc

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    """Encode form fields and files ({name: (filename, content, content type)})."""
    boundary = "----rongmei" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                ).encode() + str(value).encode() + b"\r\n"
    for name, (filename, content, ctype) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def request(method: str, url: str, *, params: dict | None = None, json=None,
            form: dict | None = None, files: dict | None = None, body: bytes | None = None,
            headers: dict | None = None, timeout: float | None = None) -> Response:
    """Send one request. Network failures and timeouts raise :class:`TransientError`;
    HTTP error statuses are returned, not raised (callers decide with :func:`check_status`)."""
    headers = dict(headers or {})
    timeout = timeout or getattr(settings, "OUTLETS_HTTP_TIMEOUT", 30)
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    if json is not None:
        body = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    elif files:
        body, ctype = multipart(form or {}, files)
        headers["Content-Type"] = ctype
    elif form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, dict(exc.headers or {}), exc.read() or b"")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise TransientError("连接平台失败或超时，稍后自动重试", f"{method} {url}: {exc}") from exc


def check_status(resp: Response, *, what: str) -> Response:
    """2xx passes; 408/429/5xx are transient; any other 4xx is permanent."""
    if 200 <= resp.status < 300:
        return resp
    detail = f"{what}: HTTP {resp.status}: {resp.text[:1000]}"
    if resp.status in (408, 425, 429) or resp.status >= 500:
        raise TransientError(f"{what}时平台暂时出错（HTTP {resp.status}），稍后自动重试", detail)
    raise PermanentError(f"{what}被平台拒绝（HTTP {resp.status}），请检查渠道设置和内容", detail)
