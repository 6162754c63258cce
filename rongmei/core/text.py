"""Safety of user-supplied text: sanitize rich text, reject markup where none belongs."""

from __future__ import annotations

import re

import nh3

_MARKUP = re.compile(r"[<>{}]|javascript:", re.IGNORECASE)

# Tags a resident may use in rich text (comments never get HTML at all).
RICH_TEXT_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote",
                  "h2", "h3", "h4", "a", "img", "figure", "figcaption", "span"}
RICH_TEXT_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}


def contains_markup(value: str) -> bool:
    return bool(_MARKUP.search(value or ""))


def sanitize_html(value: str) -> str:
    """Keep a safe subset of HTML (ammonia via nh3); scripts, handlers and styles go."""
    return nh3.clean(value or "", tags=RICH_TEXT_TAGS, attributes=RICH_TEXT_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"},
                     link_rel="noopener noreferrer nofollow")


def plain_text(value: str, *, max_length: int | None = None) -> str:
    """Strip all markup and control characters; collapse whitespace."""
    text = nh3.clean(value or "", tags=set())
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text[:max_length] if max_length else text
