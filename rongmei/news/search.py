"""Chinese search over live stories (titles, summaries, bodies).

Both the stored text and the query are segmented with jieba, so 乡村振兴 finds stories that
say 乡村振兴 however the sentence around it is cut.
"""

from __future__ import annotations

import re

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    import jieba

    seen, words = set(), []
    for word in jieba.cut_for_search(text or ""):
        word = word.strip().lower()
        if not word or _PUNCT.fullmatch(word) or word in seen:
            continue
        seen.add(word)
        words.append(word)
    return words


def index_text(page) -> str:
    return " ".join(tokens(" ".join([page.title, page.summary, page.body_text()])))


def search(query: str, *, limit: int = 50) -> list:
    """Live stories matching every word of ``query``, newest first."""
    from django.db.models import Q

    from .models import FeedEntry

    words = tokens(query)
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return list(FeedEntry.objects.filter(condition).select_related("cover", "channel")
                .order_by("-published_at", "-page_id")[:limit])
