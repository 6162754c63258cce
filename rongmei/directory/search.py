"""Search keys for services: the name, the tags, and the pinyin initials of both.

"sb" finds 社保 (a tag of 社会保险 services), "shbx" finds 社会保险, "公积金" finds
住房公积金提取. Keys are computed when a service is saved, so a search is one ``icontains``.
"""

from __future__ import annotations


def initials(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()


def full_pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text, errors="ignore")).lower()


def search_text(name: str, tags: list[str]) -> str:
    words = [name, *tags]
    keys = words + [initials(w) for w in words] + [full_pinyin(w) for w in words]
    return "|".join(k for k in keys if k).lower()


def normalise_query(query: str) -> str:
    return "".join((query or "").split()).lower()[:30]
