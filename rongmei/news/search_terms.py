"""The search dictionary operators keep: county words, synonym groups, and the log of
queries that found nothing. Every change checks the role here and tells the segmenters
(``search.dictionary_changed``); stories containing a new word are segmented again."""

from __future__ import annotations

from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role, has_role

from . import search
from .models import FeedEntry, SearchMiss, SearchSynonym, SearchWord

MANAGER_ROLES = (OPERATOR,)  # administrators hold every role


def can_manage(user) -> bool:
    return has_role(user, *MANAGER_ROLES)


def _check(user) -> None:
    check_role(user, *MANAGER_ROLES, message="只有运营人员和管理员可以维护搜索词典")


def _cjk_word(text: str, field: str) -> str:
    word = search.normalize(text).strip()
    if not word or len(word) > 30 or not all(search._IS_CJK.match(c) for c in word):
        raise ServiceError("invalid_word", "请填写 1–30 个汉字的词语", field=field)
    return word


def resegment_containing(word: str, *, limit: int = 5000) -> int:
    """Recompute the index of stories whose text holds ``word`` (at most ``limit``)."""
    from django.db import connection

    words = [search.QueryWord(word, (search.Spelling(word, (word,)),))]
    ids = list(FeedEntry.objects.filter(search._match_condition(words, connection))
               .values_list("page_id", flat=True)[:limit])
    from .models import StoryPage

    for page in StoryPage.objects.filter(pk__in=ids).specific():
        FeedEntry.objects.filter(page_id=page.pk).update(**search.index_fields(page))
    return len(ids)


def word_add(*, actor, word: str, note: str = "") -> SearchWord:
    _check(actor)
    word = _cjk_word(word, "word")
    if len(word) < 2:
        raise ServiceError("invalid_word", "词语至少两个字", field="word")
    entry, _ = SearchWord.objects.get_or_create(word=word, defaults={"note": note[:60]})
    search.dictionary_changed()
    resegment_containing(word)
    return entry


def word_delete(*, actor, pk: int) -> None:
    _check(actor)
    entry = SearchWord.objects.filter(pk=pk).first()
    if entry is not None:
        entry.delete()
        search.dictionary_changed()
        resegment_containing(entry.word)


def synonym_add(*, actor, words: str) -> SearchSynonym:
    _check(actor)
    group = list(dict.fromkeys(_cjk_word(w, "words") for w in words.replace("，", " ")
                               .replace(",", " ").replace("/", " ").split()))
    if len(group) < 2:
        raise ServiceError("invalid_synonyms", "同义词至少两个，用空格分隔", field="words")
    entry, _ = SearchSynonym.objects.get_or_create(words=" ".join(group)[:200])
    search.dictionary_changed()
    return entry


def synonym_delete(*, actor, pk: int) -> None:
    _check(actor)
    SearchSynonym.objects.filter(pk=pk).delete()
    search.dictionary_changed()


def misses(*, actor, limit: int = 100) -> list[SearchMiss]:
    _check(actor)
    return list(SearchMiss.objects.order_by("-last_seen")[:limit])
