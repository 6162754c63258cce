"""Word gate API: ``POST /api/v1/wordgate/check`` for staff (the console's editors call it
to highlight problems while people type). Residents are refused: probing it would reveal
the dictionary."""

from __future__ import annotations

from typing import Annotated

from ninja import Router, Schema
from pydantic import ConfigDict, WithJsonSchema

from rongmei.core import ratelimit
from rongmei.core.api import AUTH, ErrorOut
from rongmei.core.errors import ServiceError

from .access import check_checker
from .services import highlight_html, html_visible_text, scan

router = Router(tags=["敏感词"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
MAX_CHARS = 200_000


class CheckIn(Schema):
    """Exactly one of ``text`` and ``html``."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": [name], "properties": {name: {"type": "string"}}}
        for name in ("text", "html")]})

    text: Annotated[str | None, WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": MAX_CHARS}, {"type": "null"}]})] = None
    html: Annotated[str | None, WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": MAX_CHARS}, {"type": "null"}]})] = None


class HitOut(Schema):
    word: str
    start: int  # offsets (Unicode code points) into ``text`` of the answer
    end: int
    level: str  # block | review
    kind: str  # sensitive | typo
    suggestion: str


class CheckOut(Schema):
    blocked: bool
    message: str
    hits: list[HitOut]
    text: str  # what was scanned: the text sent, or the visible text of the HTML sent
    highlighted: str  # ``text`` HTML-escaped with <mark class="wg-block|wg-review">


@router.post("/check", auth=AUTH, response={200: CheckOut, **ERRORS},
             summary="检测文本中的敏感词和错别字")
def check(request, payload: CheckIn):
    user = request.auth
    check_checker(user)
    if (payload.text is None) == (payload.html is None):
        raise ServiceError("text_or_html", "请提供 text 或 html 其中之一", field="text",
                           status=422)
    raw = payload.text if payload.text is not None else payload.html
    field = "text" if payload.text is not None else "html"
    if len(raw) > MAX_CHARS:
        raise ServiceError("text_too_long", f"一次最多检测{MAX_CHARS // 10000}万字",
                           field=field, status=422)
    ratelimit.hit("wordgate-check", str(user.pk), limit=600, window=60,
                  message="检测过于频繁，请稍后再试")
    text = raw if field == "text" else html_visible_text(raw)
    verdict = scan(text)
    return {"blocked": verdict.blocked, "message": verdict.message,
            "hits": [hit.as_dict() for hit in verdict.hits], "text": text,
            "highlighted": highlight_html(text, verdict.hits)}
