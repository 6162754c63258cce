"""Chinese search over live stories (titles, summaries, bodies, tags, place).

How it matches (why and measured: docs/architecture.md "Newsroom", docs/benchmarks.md,
``tests/test_search.py``):

* **Normalizing**: NFKC (full-width ``５Ｇ`` → ``5g``), lower case, traditional characters
  to simplified (``core.hanzi.to_simplified``), on both the stories and the query.
* **Index, with positions** (``search_text``): every CJK run as its character bigrams *in
  text order* (``乡村振兴`` → ``乡村 村振 振兴``), Latin/digit runs whole and split at
  letter/digit boundaries, then the run's single characters. PostgreSQL's ``to_tsvector``
  and SQLite's FTS5 keep the position of each term, so a query word is a *phrase* of its
  bigrams (``'乡村' <-> '村振' <-> '振兴'``): its characters adjacent and in order.
* **Word boundaries** (``search_words``): the same text cut into words by jieba with the
  county's dictionary (places, units of the unit tree, officials' titles, operator-added
  words: ``dictionary_words``). A hit must not cut a word of the story in two unless it
  also is a whole run of words: 县长 is not in 莲乡县|长期, 南京 not in 湖南|京剧, 高考 not
  in 提高|考勤, but 振兴 is in 乡村振兴 and 县委 书记 in 县委|副|书记.
* **Words in between**: a query word the dictionary knows as a compound (县委书记 = 县委 +
  书记, 乡村振兴 = 乡村 + 振兴) also matches its parts in order with at most ``MAX_GAP``
  characters between them (县委副书记, 乡村全面振兴).
* **Synonyms**: ``SYNONYMS`` and the operators' ``SearchSynonym`` rows (扶贫 / 脱贫).
* **Ranking**: per query word 4 for the title, 2 for the summary, 1 for the body, divided
  by ``1 + age in days / RECENCY_DAYS``; the matched words are highlighted
  (``entry.title_html``, ``entry.summary_html``).
* **Cost**: the database finds candidates through its index (newest ``MAX_CANDIDATES`` at
  most), Python checks boundaries and ranks them, one more query loads the page of results:
  three queries whatever the number of results.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import mark_safe

from rongmei.core.hanzi import to_simplified

log = logging.getLogger(__name__)

# Words jieba does not know but residents type: places, products, programmes of the county.
COUNTY_WORDS = [
    "莲乡县", "莲乡", "莲城镇", "荷塘镇", "白水镇", "上塘村", "莲乡融媒", "白水河",
    "羊肚菌", "莲子", "莲藕", "白莲", "荷花节", "莲子湖",
    "融媒体", "乡村振兴", "网格员", "村晚", "一网通办", "消费券", "河长", "警长",
]
# Titles of officials, kept whole so 县长 is a word of 副县长 and not of 莲乡县长期.
OFFICIAL_TITLES = [
    "县长", "副县长", "代县长", "县委书记", "县委副书记", "县委常委", "书记", "副书记",
    "镇长", "副镇长", "乡长", "副乡长", "镇党委书记", "村支书", "村主任", "村党支部书记",
    "局长", "副局长", "主任", "副主任", "院长", "副院长", "校长", "副校长", "所长",
    "人大常委会主任", "政协主席", "纪委书记", "第一书记", "驻村第一书记",
]

# Groups of spellings with one meaning (abbreviation and full form): any one of them in a
# query matches stories using any other. Operators add more (SearchSynonym).
SYNONYMS = [
    ("医保", "医疗保险", "医疗保障"),
    ("社保", "社会保险", "社会保障"),
    ("非遗", "非物质文化遗产"),
    ("新冠", "新型冠状病毒"),
    ("高铁", "高速铁路"),
    ("疫苗", "预防针"),
    ("扶贫", "脱贫"),
]

# Words that say nothing about the topic; a query made only of these finds nothing.
STOP_WORDS = frozenset({
    "的", "了", "着", "过", "是", "在", "和", "与", "及", "或", "而", "也", "都", "就", "把",
    "被", "对", "从", "向", "为", "以", "于", "之", "其", "这", "那", "个", "吗", "呢", "吧",
    "啊", "呀", "哦", "嘛", "得", "地", "么", "请问", "我们", "你们", "他们", "什么", "怎么",
    "怎样", "如何", "哪里", "哪儿", "哪些", "为什么", "关于", "有关", "相关", "一个", "这个",
    "那个", "以及", "还有", "一下", "有没有", "是否", "新闻", "消息",
})
_STOP_CHARS = frozenset(w for w in STOP_WORDS if len(w) == 1)

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 10
MAX_TERM_CHARS = 60
MAX_GAP = 4  # characters allowed between the parts of a compound (县委[副]书记)
MAX_CANDIDATES = 1000  # newest index matches checked and ranked per query
RECENCY_DAYS = 30
WEIGHTS = (4, 2, 1)  # title, summary, rest

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of CJK ideographs, or a run of other letters/digits (Latin, digits, kana …).
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_IS_CJK = re.compile(rf"[{_CJK}]")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")

FTS_TABLE = "news_feedentry_fts2"
_FTS_TRIGGERS = ("news_feedentry_fts2_ai", "news_feedentry_fts2_ad", "news_feedentry_fts2_au")
_OLD_FTS = ("news_feedentry_fts", ("news_feedentry_fts_ai", "news_feedentry_fts_ad",
                                   "news_feedentry_fts_au"))
PG_INDEX = "news_feed_search"  # the first index: an expression over search_text (migration 0002)
# Since migration 0007: a stored tsvector column and its GIN index. A phrase query (``<->``)
# always re-checks the rows the index finds; over the expression index that re-check parsed
# each candidate's text again (16,671 stories for 荷塘镇: 3.5 s), over a stored vector it
# reads it.
PG_VECTOR = "search_vector"
PG_VECTOR_INDEX = "news_feed_search_vector"
DICTIONARY_VERSION_KEY = "news:search:dictionary"


# --- text -------------------------------------------------------------------------------------

def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, lower case, simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").lower())


def _runs(text: str):
    """(kind, run) pairs of ``text`` normalized: kind "cjk" or "other"; punctuation dropped."""
    for cjk, other in _RUNS.findall(normalize(text)):
        if cjk:
            yield "cjk", cjk
        else:
            yield "other", other[:MAX_TERM_CHARS]


def gram_terms(word: str) -> tuple[str, ...]:
    """The index terms of a CJK word in order: its bigrams, or its one character."""
    if len(word) == 1:
        return (word,)
    return tuple(word[i:i + 2] for i in range(len(word) - 1))


def index_terms(text: str) -> list[str]:
    """The terms the index stores for ``text``, in text order (repeats kept: positions)."""
    terms: list[str] = []
    chars: dict[str, None] = {}
    for kind, run in _runs(text):
        if kind == "cjk":
            terms.extend(gram_terms(run) if len(run) > 1 else ())
            chars.update(dict.fromkeys(c for c in run if c not in _STOP_CHARS))
        else:
            terms.append(run)
            parts = _LETTERS_OR_DIGITS.findall(run)
            if len(parts) > 1:
                terms.extend(parts)
    # Single characters after the bigrams: a one-character query needs only their presence.
    terms.extend(chars)
    return terms


def index_text_of(*texts: str) -> str:
    """``search_text`` for these texts: terms separated by spaces, with a space at each end
    so that a plain containment check (`` term ``) works on any database."""
    terms = index_terms("\n".join(t for t in texts if t))
    return f" {' '.join(terms)} " if terms else ""


def words_of(text: str) -> str:
    """One section of ``search_words``: runs of ``text`` on lines, their words spaced."""
    lines = []
    for kind, run in _runs(text):
        lines.append(" ".join(segment_all(run)) if kind == "cjk" else run)
    return "\n".join(lines)


def index_fields(page) -> dict:
    """``search_text`` and ``search_words`` of a story: title, summary, body, tags, place."""
    tags = " ".join(tag.name for tag in page.tags.all())
    texts = (page.title, page.display_summary[:200], page.body_text(), tags, page.place)
    return {"search_text": index_text_of(*texts),
            "search_words": words_fields(texts[0], texts[1], "\n".join(t for t in texts[2:] if t))}


def words_fields(title: str, summary: str, rest: str) -> str:
    return "\t".join([words_of(title), words_of(summary), words_of(rest)])


def index_text(page) -> str:
    """``FeedEntry.search_text`` of a story (kept for callers of the first version)."""
    return index_fields(page)["search_text"]


# --- dictionary and segmenter ----------------------------------------------------------------

class _Segmenter:
    def __init__(self, version, words, synonyms):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in words:
            tokenizer.add_word(word, freq=100_000)
        self.version = version
        self.tokenizer = tokenizer
        self.synonyms = {word: group for group in synonyms for word in group}


_segmenter: _Segmenter | None = None
_segmenter_lock = threading.Lock()


def dictionary_words() -> list[str]:
    """The county's words: the constants, unit names and short names of the unit tree,
    operators' ``SearchWord`` rows, and every spelling of a synonym."""
    words = [*COUNTY_WORDS, *OFFICIAL_TITLES]
    try:
        from rongmei.units.models import Unit

        from .models import SearchWord

        for name, short in Unit.objects.values_list("name", "short_name"):
            words.extend(w for w in (name, short) if w)
        words.extend(SearchWord.objects.values_list("word", flat=True))
    except Exception:
        log.debug("search dictionary read without the database", exc_info=True)
    words.extend(w for group in synonym_groups() for w in group)
    return [normalize(w) for w in dict.fromkeys(words) if w and _IS_CJK.search(w)]


def synonym_groups() -> list[tuple[str, ...]]:
    groups = [tuple(normalize(w) for w in group) for group in SYNONYMS]
    try:
        from .models import SearchSynonym

        for row in SearchSynonym.objects.values_list("words", flat=True):
            group = tuple(dict.fromkeys(normalize(w) for w in row.split() if w))
            if len(group) > 1:
                groups.append(group)
    except Exception:
        log.debug("search synonyms read without the database", exc_info=True)
    return groups


def dictionary_changed() -> None:
    """Call after operators change words or synonyms: every process rebuilds its segmenter
    at its next query (segmenting stories again is ``reindex``)."""
    from django.core.cache import cache

    try:
        cache.incr(DICTIONARY_VERSION_KEY)
    except ValueError:
        cache.set(DICTIONARY_VERSION_KEY, 1, timeout=None)


def _current() -> _Segmenter:
    global _segmenter
    from django.core.cache import cache

    version = cache.get(DICTIONARY_VERSION_KEY, 0)
    current = _segmenter
    if current is None or current.version != version:
        with _segmenter_lock:
            if _segmenter is None or _segmenter.version != version:
                _segmenter = _Segmenter(version, dictionary_words(), synonym_groups())
            current = _segmenter
    return current


def segment_all(run: str) -> list[str]:
    """Every word of a normalized CJK run, as the county-aware segmenter cuts it."""
    return [w for w in _current().tokenizer.cut(run) if w.strip()]


def segment(run: str) -> list[str]:
    """Words a query asks for in a CJK run: stop words dropped; single characters in a row
    (a name the dictionary does not know, cut to pieces) are kept together as one word."""
    words, pending = [], ""
    for piece in segment_all(run):
        if piece in STOP_WORDS:
            if pending:
                words.append(pending)
            pending = ""
        elif len(piece) == 1:
            pending += piece
        else:
            if pending:
                words.append(pending)
            pending = ""
            words.append(piece)
    if pending:
        words.append(pending)
    return words


def compound_parts(word: str) -> tuple[str, ...]:
    """The dictionary words ``word`` is made of, left to right (县委书记 → 县委, 书记), or
    ``(word,)`` when it is not a compound of words of two characters or more."""
    if len(word) < 4 or not _IS_CJK.match(word):
        return (word,)
    freq = _current().tokenizer.FREQ
    parts, start = [], 0
    while start < len(word):
        for end in range(len(word), start + 1, -1):
            piece = word[start:end]
            if len(piece) < len(word) and freq.get(piece):
                parts.append(piece)
                start = end
                break
        else:
            return (word,)
    return tuple(parts) if len(parts) > 1 else (word,)


# --- queries ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spelling:
    text: str
    parts: tuple[str, ...]  # (text,) or the compound's parts


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: it matches when any one of its spellings is found."""

    text: str
    spellings: tuple[Spelling, ...]

    @property
    def alternatives(self) -> tuple[tuple[str, ...], ...]:
        """Index terms per spelling (all bigrams of all parts)."""
        return tuple(tuple(t for part in s.parts for t in _terms(part)) for s in self.spellings)


def _terms(part: str) -> tuple[str, ...]:
    return gram_terms(part) if _IS_CJK.match(part) else (part,)


def parse_query(query: str) -> list[QueryWord]:
    """The words a query asks for; empty when it holds nothing searchable."""
    words: dict[str, QueryWord] = {}
    for kind, run in _runs((query or "")[:MAX_QUERY_CHARS]):
        if kind == "other":
            words.setdefault(run, QueryWord(run, (Spelling(run, (run,)),)))
            continue
        synonyms = _current().synonyms
        for word in segment(run):
            spellings = synonyms.get(word, (word,))
            words.setdefault(word, QueryWord(word, tuple(
                Spelling(s, compound_parts(s)) for s in spellings)))
    return list(words.values())[:MAX_QUERY_WORDS]


def tokens(text: str) -> list[str]:
    """The words of ``text`` as a query sees them."""
    return [word.text for word in parse_query(text)]


# --- the database's half: candidates through the positional index ---------------------------

def _tsquery(words: list[QueryWord]) -> str:
    def quote(term):
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

    def phrase(part):
        return "(" + " <-> ".join(quote(t) for t in _terms(part)) + ")"

    return " & ".join(
        "(" + " | ".join("(" + " & ".join(phrase(p) for p in s.parts) + ")"
                         for s in word.spellings) + ")"
        for word in words)


def _fts5_query(words: list[QueryWord]) -> str:
    def phrase(part):
        return '"' + " ".join(_terms(part)).replace('"', '""') + '"'

    return " AND ".join(
        "(" + " OR ".join("(" + " AND ".join(phrase(p) for p in s.parts) + ")"
                          for s in word.spellings) + ")"
        for word in words)


def _match_condition(words: list[QueryWord], connection):
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    if connection.vendor == "postgresql":
        return RawSQL(f'"news_feedentry"."{PG_VECTOR}" '
                      "@@ to_tsquery('simple'::regconfig, %s)", [_tsquery(words)],
                      output_field=BooleanField())
    if connection.vendor == "sqlite" and ensure_sqlite_index(connection):
        return RawSQL(f'"news_feedentry"."page_id" IN (SELECT rowid FROM {FTS_TABLE} '
                      f"WHERE {FTS_TABLE} MATCH %s)", [_fts5_query(words)],
                      output_field=BooleanField())
    condition = Q()
    for word in words:
        either = Q()
        for spelling in word.spellings:
            every = Q()
            for part in spelling.parts:
                every &= Q(search_text__contains=" " + " ".join(_terms(part)) + " ")
            either |= every
        condition &= either
    return condition


# --- Python's half: word boundaries, order, ranking -------------------------------------------

def _sections(search_words: str) -> list[list[tuple[str, frozenset[int]]]]:
    """Per section (title, summary, rest): each run's text and its word boundaries."""
    sections = []
    for section in (search_words or "").split("\t"):
        runs = []
        for line in section.split("\n"):
            offsets, at = {0}, 0
            for word in line.split(" "):
                at += len(word)
                offsets.add(at)
            runs.append((line.replace(" ", ""), frozenset(offsets)))
        sections.append(runs)
    return sections


def _hits(text: str, bounds: frozenset[int], part: str):
    """Start offsets of ``part`` in a run that cut no word of the run in two (a hit inside
    one word, or one starting and ending at word boundaries)."""
    start = text.find(part)
    while start != -1:
        end = start + len(part)
        inside = any(b in bounds for b in range(start + 1, end))
        if not inside or (start in bounds and end in bounds):
            yield start
        start = text.find(part, start + 1)


def _found_in_run(text, bounds, spelling: Spelling) -> bool:
    if any(True for _ in _hits(text, bounds, spelling.text)):
        return True
    if len(spelling.parts) < 2:
        return False
    ends = {s + len(spelling.parts[0]) for s in _hits(text, bounds, spelling.parts[0])}
    for part in spelling.parts[1:]:
        if not ends:
            return False
        ends = {s + len(part) for s in _hits(text, bounds, part)
                if any(0 <= s - e <= MAX_GAP for e in ends)}
    return bool(ends)


def _weight(sections, word: QueryWord) -> int:
    """The weight of the best section where ``word`` is found (0: not found)."""
    for weight, runs in zip(WEIGHTS, sections):
        for text, bounds in runs:
            if any(_found_in_run(text, bounds, s) for s in word.spellings):
                return weight
    return 0


def relevance(search_words: str, words: list[QueryWord]) -> int:
    """Sum of the words' weights, or 0 when any word is missing (or cut across words)."""
    sections = _sections(search_words)
    total = 0
    for word in words:
        weight = _weight(sections, word)
        if not weight:
            return 0
        total += weight
    return total


def search(query: str, *, limit: int = 50, now: datetime | None = None) -> list:
    """Live stories matching every word of ``query``, most relevant (title, summary, body,
    then recency) first, with ``title_html`` / ``summary_html`` marking the matched words.
    Empty for a query with nothing to search."""
    from django.db import connection
    from django.utils import timezone

    from .models import FeedEntry

    words = parse_query(query)
    if not words or limit <= 0:
        return []
    now = now or timezone.now()
    rows = (FeedEntry.objects.filter(_match_condition(words, connection))
            .order_by("-published_at", "-page_id")
            .values_list("page_id", "published_at", "search_words")[:MAX_CANDIDATES])
    scored = []
    for page_id, published_at, search_words in rows:
        # A row written before search_words existed: trust the index until reindexed.
        score = relevance(search_words, words) if search_words else 1
        if score:
            age = max((now - published_at).total_seconds(), 0) / 86400
            scored.append((score / (1 + age / RECENCY_DAYS), published_at, page_id))
    scored.sort(reverse=True)
    ids = [page_id for _, _, page_id in scored[:limit]]
    if not ids:
        return []
    from .selectors import with_covers

    entries = with_covers(FeedEntry.objects.filter(page_id__in=ids))
    by_id = {entry.page_id: entry for entry in entries}
    result = [by_id[i] for i in ids if i in by_id]
    marks = highlight_words(words)
    for entry in result:
        entry.title_html = highlight(entry.title, marks)
        entry.summary_html = highlight(entry.summary, marks)
    return result


MISSES_PER_CLIENT_HOUR = 30  # distinct misses one address may add to the list in an hour
MISSES_KEPT = 10_000  # beyond this many different queries, only known ones are counted


def record_miss(query: str, *, client: str | None = None) -> None:
    """Count a query that found nothing, for operators (``SearchMiss``).

    A script cannot flood the list or a count: one address counts a query once a day and
    adds at most ``MISSES_PER_CLIENT_HOUR`` misses an hour (the search itself still answers),
    and the list stops taking new queries at ``MISSES_KEPT`` rows.
    """
    import hashlib

    from django.db import IntegrityError, transaction
    from django.db.models import F
    from django.utils import timezone

    from rongmei.core import ratelimit
    from rongmei.core.errors import RateLimitedError

    from .models import SearchMiss

    text = " ".join(normalize(query).split())[:100]
    if not text or not parse_query(text):  # nothing searchable: not a miss worth reading
        return
    who = hashlib.blake2b((client or "-").encode(), digest_size=8).hexdigest()
    if not ratelimit.first_in("news-search-miss", f"{who}:{text}", window=86400):
        return  # this address counted this query today
    try:
        ratelimit.hit("news-search-miss", who, limit=MISSES_PER_CLIENT_HOUR, window=3600,
                      message="")
    except RateLimitedError:
        return
    now = timezone.now()
    if SearchMiss.objects.filter(query=text).update(count=F("count") + 1, last_seen=now):
        return
    if SearchMiss.objects.count() >= MISSES_KEPT:
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(query=text, first_seen=now, last_seen=now)
    except IntegrityError:  # the same miss recorded by a concurrent request
        SearchMiss.objects.filter(query=text).update(count=F("count") + 1, last_seen=now)


# --- highlighting -------------------------------------------------------------------------------

def highlight_words(words: list[QueryWord]) -> list[str]:
    marks = {p for w in words for s in w.spellings for p in (s.text, *s.parts)}
    return sorted(marks, key=len, reverse=True)


def _comparable(text: str) -> str:
    """``text`` normalized character by character, so offsets stay those of ``text``."""
    out = []
    for char in text:
        folded = normalize(char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def highlight(text: str, marks: list[str]):
    """``text`` escaped, with each occurrence of ``marks`` (normalized) in ``<mark>``."""
    if not text:
        return ""
    folded = _comparable(text)
    marked = [False] * len(text)
    for mark in marks:
        start = folded.find(mark)
        while mark and start != -1:
            if not any(marked[start:start + len(mark)]):
                marked[start:start + len(mark)] = [True] * len(mark)
            start = folded.find(mark, start + len(mark))
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    return mark_safe("".join(out))


# --- database side ------------------------------------------------------------------------------

def _sqlite_statements() -> list[str]:
    table, (ai, ad, au) = FTS_TABLE, _FTS_TRIGGERS
    return [
        # External content: the FTS index refers to news_feedentry rows instead of copying
        # them; detail=full (the default) keeps positions for phrase queries.
        (f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_text, "
         f"content='news_feedentry', content_rowid='page_id')"),
        (f"CREATE TRIGGER IF NOT EXISTS {ai} AFTER INSERT ON news_feedentry BEGIN "
         f"INSERT INTO {table}(rowid, search_text) VALUES (new.page_id, new.search_text); END"),
        (f"CREATE TRIGGER IF NOT EXISTS {ad} AFTER DELETE ON news_feedentry BEGIN "
         f"INSERT INTO {table}({table}, rowid, search_text) "
         f"VALUES ('delete', old.page_id, old.search_text); END"),
        (f"CREATE TRIGGER IF NOT EXISTS {au} AFTER UPDATE OF search_text, page_id "
         f"ON news_feedentry BEGIN "
         f"INSERT INTO {table}({table}, rowid, search_text) "
         f"VALUES ('delete', old.page_id, old.search_text); "
         f"INSERT INTO {table}(rowid, search_text) VALUES (new.page_id, new.search_text); END"),
    ]


def install_sqlite_index(connection) -> None:
    """Create the FTS5 table and its triggers where missing, and rebuild it from the rows."""
    with connection.cursor() as cursor:
        old_table, old_triggers = _OLD_FTS
        for trigger in old_triggers:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {old_table}")
        for statement in _sqlite_statements():
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def uninstall_sqlite_index(connection) -> None:
    with connection.cursor() as cursor:
        for trigger in _FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def ensure_sqlite_index(connection) -> bool:
    """Whether FTS5 serves the query, repairing it first when its triggers are gone.

    Django's SQLite schema editor rebuilds a table to alter it (new table, copy, drop,
    rename), which drops the triggers; one catalogue lookup per query notices that and
    reinstalls and rebuilds, so a later migration of FeedEntry cannot silently stale search.
    """
    names = (FTS_TABLE, *_FTS_TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
                       names)
        if cursor.fetchone()[0] == len(names):
            return True
    try:
        install_sqlite_index(connection)
    except Exception:  # an SQLite built without FTS5: fall back to the containment scan
        log.warning("SQLite FTS5 unavailable; news search scans search_text", exc_info=True)
        return False
    log.warning("news search: FTS5 index was missing or incomplete, reinstalled and rebuilt")
    return True


def install_postgresql_index(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON news_feedentry "
                       "USING gin (to_tsvector('simple'::regconfig, search_text))")


def uninstall_postgresql_index(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


def install_postgresql_vector(connection) -> None:
    """The stored vector replaces the expression index (a large table is rewritten once)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE news_feedentry ADD COLUMN IF NOT EXISTS {PG_VECTOR} "
                       "tsvector GENERATED ALWAYS AS "
                       "(to_tsvector('simple'::regconfig, search_text)) STORED")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {PG_VECTOR_INDEX} ON news_feedentry "
                       f"USING gin ({PG_VECTOR})")
        cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


def uninstall_postgresql_vector(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {PG_VECTOR_INDEX}")
        cursor.execute(f"ALTER TABLE news_feedentry DROP COLUMN IF EXISTS {PG_VECTOR}")
    install_postgresql_index(connection)


def reindex(*, batch: int = 200) -> int:
    """Recompute ``search_text`` and ``search_words`` of every live story (after changing
    how text is indexed, or the dictionary). Returns the number of stories updated."""
    from .models import FeedEntry, StoryPage

    ids = list(FeedEntry.objects.values_list("page_id", flat=True))
    done = 0
    for start in range(0, len(ids), batch):
        pages = StoryPage.objects.filter(pk__in=ids[start:start + batch]).specific()
        for page in pages:
            FeedEntry.objects.filter(page_id=page.pk).update(**index_fields(page))
            done += 1
    return done
