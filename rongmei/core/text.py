"""Safety of user-supplied text: sanitize rich text, reject markup where none belongs."""

from __future__ import annotations

import html
import re
import unicodedata

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


# Characters no person types on purpose: C0 controls but tab and newlines, DEL, C1, the bidi
# embeddings/overrides/isolates that make text display reversed (U+202A–E, U+2066–9), and
# lone UTF-16 surrogates. Stripped from text, refused in names (``check_name``).
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


# Characters XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates,
# U+FFFE/U+FFFF): feeds and Open311 XML write U+FFFD instead, so one stored text can never
# make a document malformed (or the serializer raise).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value) -> str:
    return NOT_XML.sub("\ufffd", str(value if value is not None else ""))


def strip_controls(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))


def plain_text(value: str, *, max_length: int | None = None) -> str:
    """The text of what a person typed (or of an HTML fragment): tags removed, control and
    bidi-override characters removed, runs of spaces collapsed — and otherwise as typed.

    Stored text is never HTML-escaped: ``a > b & c`` is stored as typed and escaped once,
    when a template or serializer renders it (Django's autoescape). nh3 escapes the text it
    returns, so the entities are decoded back here.
    """
    text = html.unescape(nh3.clean(strip_controls(value), tags=set()))
    text = strip_controls(text)  # an entity may have spelled a control character
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text[:max_length] if max_length else text


def typed_text(value, *, max_length: int | None = None) -> str:
    """What a person typed, to store: control and bidi-override characters removed, line
    endings unified, runs of spaces collapsed, the ends trimmed — and otherwise exactly as
    typed, markup included. ``<b>`` typed in a comment stays ``<b>``: it is escaped when a
    template or serializer renders it, never removed or escaped on the way in. (For text
    taken *out of* HTML, such as a rich-text field, use ``plain_text``.)"""
    text = strip_controls(str(value or ""))
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text[:max_length] if max_length else text


def clean_typed(value, *, field: str, label: str, max_length: int,
                required: bool = True) -> str:
    """``typed_text`` checked for a form or API field: a required text needs a character a
    reader can see (spaces or filler alone are refused), and at most ``max_length``."""
    from .errors import ServiceError

    text = typed_text(value, max_length=max_length + 1)
    if required and not visible_length(text):
        raise ServiceError("required", f"请填写{label}", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", f"{label}最多{max_length}个字", field=field)
    return text


def visible_length(value: str | None) -> int:
    """How many characters of ``value`` a reader sees: letters, digits, punctuation and
    symbols — not spaces, zero-width or format characters, controls or filler marks a
    required text could be "filled in" with (Hangul fillers, the blank braille pattern)."""
    return sum(1 for ch in (value or "")
               if unicodedata.category(ch)[0] in "LNPS"
               and ch not in "\u3164\uffa0\u115f\u1160\u2800")


def check_name(value: str, *, field: str, label: str = "名称") -> str:
    """A name (nickname, merchant, product, contact): control and bidi-override characters
    are refused, not silently removed — a name must show what its owner typed."""
    from .errors import ServiceError

    value = (value or "").strip()
    if CONTROL_CHARACTERS.search(value) or "\t" in value or "\n" in value:
        raise ServiceError("invalid_characters", f"{label}含有不允许的控制字符", field=field)
    return value


# What ``nh3.clean`` turned typed characters into (until issue 10 stored text escaped).
_ESCAPED = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&#x27;", "'"),
            ("&amp;", "&"))


def unescape_stored(text: str) -> str:
    """Undo one round of the escaping ``plain_text`` used to store (for data migrations)."""
    for entity, character in _ESCAPED:
        text = text.replace(entity, character)
    return text


def unescape_stored_fields(apps, label: str, fields: list[str]) -> int:
    """A data migration's step: unescape ``fields`` of model ``label`` where they hold '&'."""
    from django.db.models import Q

    model = apps.get_model(label)
    query = Q()
    for name in fields:
        query |= Q(**{f"{name}__contains": "&"})
    changed = 0
    for row in model._default_manager.filter(query).only("pk", *fields).iterator():
        updates = {name: unescape_stored(getattr(row, name) or "") for name in fields}
        if any(updates[name] != getattr(row, name) for name in fields):
            model._default_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed
