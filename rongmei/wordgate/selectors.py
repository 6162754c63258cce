"""Reads of the dictionary for the console, the export and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Kind, Level, WordEntry
from .normalize import normalize_word

STATUS_ACTIVE, STATUS_INACTIVE = "active", "inactive"


def entries_for_console(*, q: str = "", level: str = "", kind: str = "",
                        status: str = "") -> QuerySet[WordEntry]:
    """Entries filtered as the console list shows them; unknown filter values are ignored.
    The search matches the written word, its normalised form (so "ＶＩＰ" finds "vip代充"),
    the right form and the note."""
    entries = WordEntry.objects.select_related("created_by")
    q = (q or "").strip()[:64]
    if q:
        condition = Q(word__icontains=q) | Q(suggestion__icontains=q) | Q(note__icontains=q)
        normalized = normalize_word(q)
        if normalized:
            condition |= Q(normalized__contains=normalized)
        entries = entries.filter(condition)
    if level in Level.values:
        entries = entries.filter(level=level)
    if kind in Kind.values:
        entries = entries.filter(kind=kind)
    if status == STATUS_ACTIVE:
        entries = entries.filter(is_active=True)
    elif status == STATUS_INACTIVE:
        entries = entries.filter(is_active=False)
    return entries.order_by("-updated_at", "-pk")


def dictionary_counts() -> dict[str, int]:
    from django.db.models import Count

    counts = WordEntry.objects.filter(is_active=True).aggregate(
        block=Count("pk", filter=Q(level=Level.BLOCK)),
        review=Count("pk", filter=Q(level=Level.REVIEW)),
        typo=Count("pk", filter=Q(kind=Kind.TYPO)))
    counts["inactive"] = WordEntry.objects.filter(is_active=False).count()
    return counts
