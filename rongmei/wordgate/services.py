"""The sensitive-word and typo gate: what other apps call, and every dictionary write.

Scanning (no actor, no access check — the caller decides what a verdict means)::

    verdict = scan(article.title + "\\n" + plain)      # Verdict(hits=(Hit, ...))
    if verdict.blocked:
        raise ServiceError("wordgate_blocked", verdict.message, field="body")
    verdict = scan_html(body_html)    # offsets index html_visible_text(body_html)
    verdicts = scan_fields(title=..., summary=...)    # {"title": Verdict, ...}
    highlight_html(text, verdict.hits)                # escaped text with <mark> tags

Dictionary writes are keyword-only, check the actor's role first, validate, write in one
transaction and bump the dictionary version (``dictionary.dictionary_changed``) so every
process rebuilds its automaton within a second.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError

from .access import MANAGER_ROLES, check_manager
from .dictionary import PROCESS_CACHE, dictionary_changed
from .matching import CLEAN, Hit, Verdict, highlight_html, html_visible_text
from .models import Kind, Level, WordEntry
from .normalize import normalize_word

__all__ = [
    "MANAGER_ROLES",
    "Hit",
    "Verdict",
    "highlight_html",
    "html_visible_text",
    "install_default_dictionary",
    "scan",
    "scan_fields",
    "scan_html",
    "validate_entry",
    "word_create",
    "word_set_active",
    "word_update",
]

MAX_WORD_LENGTH = 64


# -- scanning ------------------------------------------------------------------------------

def scan(text: str) -> Verdict:
    """Every active dictionary entry found in ``text``; hit offsets index ``text`` itself."""
    if not text:
        return CLEAN
    return PROCESS_CACHE.matcher().find(text)


def scan_html(html: str) -> Verdict:
    """Scan the visible text of ``html`` (see ``html_visible_text``: tags and script/style
    dropped, entities decoded, alt text kept, a line break per block element). Hit offsets
    index ``html_visible_text(html)``, not the HTML source."""
    text = html_visible_text(html)
    return PROCESS_CACHE.matcher().find(text, paragraphs=True) if text else CLEAN


def scan_fields(**fields: str) -> dict[str, Verdict]:
    """One verdict per named field: ``scan_fields(title=t, summary=s)["title"].blocked``."""
    return {name: scan(value or "") for name, value in fields.items()}


# -- dictionary writes ---------------------------------------------------------------------

def validate_entry(*, word: str, level: str, kind: str, suggestion: str = "",
                   note: str = "") -> dict:
    """Check one entry's fields; return them cleaned (with ``normalized``) or raise
    ServiceError with a Chinese message naming the field."""
    word = (word or "").strip()
    suggestion = (suggestion or "").strip()
    note = (note or "").strip()
    if not word:
        raise ServiceError("word_required", "请填写词语", field="word")
    if len(word) > MAX_WORD_LENGTH:
        raise ServiceError("word_too_long", f"词语不能超过{MAX_WORD_LENGTH}个字", field="word")
    normalized = normalize_word(word)
    if len(normalized) < 2:
        raise ServiceError("word_too_short", "词语去掉空格和标点后至少要有两个字", field="word")
    if len(normalized) > MAX_WORD_LENGTH:  # a few characters expand under NFKC (㈱ → (株))
        raise ServiceError("word_too_long", f"词语不能超过{MAX_WORD_LENGTH}个字", field="word")
    if level not in Level.values:
        raise ServiceError("invalid_level", "级别只能是“禁用”或“提醒”", field="level")
    if kind not in Kind.values:
        raise ServiceError("invalid_kind", "类型只能是“敏感词”或“错别字”", field="kind")
    if kind == Kind.TYPO:
        if not suggestion:
            raise ServiceError("suggestion_required", "错别字须填写正确写法", field="suggestion")
        if len(suggestion) > MAX_WORD_LENGTH:
            raise ServiceError("suggestion_too_long", f"建议写法不能超过{MAX_WORD_LENGTH}个字",
                               field="suggestion")
        if normalize_word(suggestion) == normalized:
            raise ServiceError("suggestion_same", "正确写法与错别字相同", field="suggestion")
    elif suggestion:
        raise ServiceError("suggestion_for_sensitive", "敏感词不填建议写法（只有错别字才有）",
                           field="suggestion")
    if len(note) > 200:
        raise ServiceError("note_too_long", "备注不能超过200个字", field="note")
    return {"word": word, "normalized": normalized, "level": level, "kind": kind,
            "suggestion": suggestion, "note": note}


def _duplicate(normalized: str, *, exclude_pk=None) -> ServiceError | None:
    existing = WordEntry.objects.filter(normalized=normalized).exclude(pk=exclude_pk).first()
    if existing is None:
        return None
    state = "" if existing.is_active else "（已停用，可在列表中重新启用）"
    return ServiceError("duplicate_word", f"词库中已有“{existing.word}”{state}", field="word")


def word_create(*, actor, word: str, level: str = Level.BLOCK, kind: str = Kind.SENSITIVE,
                suggestion: str = "", note: str = "") -> WordEntry:
    check_manager(actor)
    fields = validate_entry(word=word, level=level, kind=kind, suggestion=suggestion, note=note)
    error = _duplicate(fields["normalized"])
    if error:
        raise error
    try:
        with transaction.atomic():
            entry = WordEntry.objects.create(created_by=actor, **fields)
            dictionary_changed()
    except IntegrityError:  # a concurrent add of the same word
        raise _duplicate(fields["normalized"]) or ServiceError(
            "duplicate_word", "词库中已有该词", field="word") from None
    return entry


def word_update(*, actor, entry: WordEntry, word: str, level: str, kind: str,
                suggestion: str = "", note: str = "") -> WordEntry:
    check_manager(actor)
    fields = validate_entry(word=word, level=level, kind=kind, suggestion=suggestion, note=note)
    error = _duplicate(fields["normalized"], exclude_pk=entry.pk)
    if error:
        raise error
    try:
        with transaction.atomic():
            for name, value in fields.items():
                setattr(entry, name, value)
            entry.updated_at = timezone.now()
            entry.save()
            dictionary_changed()
    except IntegrityError:
        raise _duplicate(fields["normalized"], exclude_pk=entry.pk) or ServiceError(
            "duplicate_word", "词库中已有该词", field="word") from None
    return entry


def install_default_dictionary() -> int:
    """Add the entries of the default dictionary that are missing (``defaults.py``); what
    operators changed or switched off stays as it is. A system action (``rongmei
    wordgate_defaults``, test set-up), so no actor. Returns how many were added."""
    from .defaults import install_defaults

    with transaction.atomic():
        added = install_defaults(WordEntry)
        if added:
            dictionary_changed()
    return added


def word_set_active(*, actor, entry: WordEntry, active: bool) -> WordEntry:
    """Deactivate (or reactivate) an entry: it stays listed but no longer matches."""
    check_manager(actor)
    if entry.is_active == active:
        return entry
    with transaction.atomic():
        WordEntry.objects.filter(pk=entry.pk).update(is_active=active, updated_at=timezone.now())
        dictionary_changed()
    entry.refresh_from_db()
    return entry
