"""Chinese search over live stories (titles, summaries, bodies, tags, place).

How it matches (measured in SEARCH.md):

* **Index** (``index_text``): the text is normalized (NFKC: full-width ``５Ｇ`` → ``5g``;
  lower case), punctuation dropped, and every CJK run is stored as its characters and its
  character bigrams; Latin/digit runs are stored whole (``g320``) and split at letter/digit
  boundaries (``g``, ``320``). No word segmentation happens here, so nothing depends on how a
  segmenter happens to cut a sentence: ``乡村振兴`` inside ``推进乡村振兴战略`` leaves the
  same bigrams as alone.
* **Query** (``parse_query``): jieba, with the county's own words loaded once
  (``COUNTY_WORDS``), splits each CJK run into words and drops stop words (的, 如何 …);
  each word then becomes the *same* terms the index holds — its bigrams (its character
  when it has one) — and all of them must be present. Words sharing a meaning with an
  abbreviation (医保 / 医疗保险 …, ``SYNONYMS``) match either spelling. Every word of the
  query must match (AND).
* **Ranking**: stories with more query words in the title first, then in the summary,
  then newest.
* **Engines**: PostgreSQL — ``to_tsvector('simple', search_text)`` with an expression GIN
  index (migration ``0002_search_index``) and a tsquery; SQLite — an FTS5 table over the
  same column kept current by triggers (``install_sqlite_index``); any other database — a
  containment scan of the space-padded term list.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

log = logging.getLogger(__name__)

# Words jieba does not know but residents type: places, products, programmes of the county.
COUNTY_WORDS = [
    "莲乡县", "莲乡", "莲城镇", "荷塘镇", "白水镇", "上塘村", "莲乡融媒",
    "羊肚菌", "莲子", "莲藕", "白莲", "荷花节",
    "融媒体", "乡村振兴", "网格员", "村晚", "一网通办", "消费券",
]

# Groups of spellings with one meaning (abbreviation and full form): any one of them in a
# query matches stories using any other.
SYNONYMS = [
    ("医保", "医疗保险", "医疗保障"),
    ("社保", "社会保险", "社会保障"),
    ("非遗", "非物质文化遗产"),
    ("新冠", "新型冠状病毒"),
    ("高铁", "高速铁路"),
    ("疫苗", "预防针"),
]

# Words that say nothing about the topic; a query made only of these finds nothing.
STOP_WORDS = frozenset({
    "的", "了", "着", "过", "是", "在", "和", "与", "及", "或", "而", "也", "都", "就", "把",
    "被", "对", "从", "向", "为", "以", "于", "之", "其", "这", "那", "个", "吗", "呢", "吧",
    "啊", "呀", "哦", "嘛", "得", "地", "么", "请问", "我们", "你们", "他们", "什么", "怎么",
    "怎样", "如何", "哪里", "哪儿", "哪些", "为什么", "关于", "有关", "相关", "一个", "这个",
    "那个", "以及", "还有", "一下", "有没有", "是否",
})
_STOP_CHARS = frozenset(w for w in STOP_WORDS if len(w) == 1)

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 10
MAX_TERM_CHARS = 60

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of CJK ideographs, or a run of other letters/digits (Latin, digits, kana …).
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")

FTS_TABLE = "news_feedentry_fts"
_FTS_TRIGGERS = ("news_feedentry_fts_ai", "news_feedentry_fts_ad", "news_feedentry_fts_au")
PG_INDEX = "news_feed_search"


# --- terms ---------------------------------------------------------------------------------

def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _runs(text: str):
    """(kind, run) pairs of ``text`` normalized: kind "cjk" or "other"; punctuation dropped."""
    for cjk, other in _RUNS.findall(normalize(text)):
        if cjk:
            yield "cjk", cjk
        else:
            yield "other", other[:MAX_TERM_CHARS]


def gram_terms(word: str) -> tuple[str, ...]:
    """The index terms a CJK word must all be present as: its bigrams, or its one character."""
    if len(word) == 1:
        return (word,)
    return tuple(dict.fromkeys(word[i:i + 2] for i in range(len(word) - 1)))


def index_terms(text: str) -> list[str]:
    """Every term the index stores for ``text``, each once, in order of first appearance."""
    terms: dict[str, None] = {}
    for kind, run in _runs(text):
        if kind == "cjk":
            for i, char in enumerate(run):
                if char not in _STOP_CHARS:
                    terms[char] = None
                if i + 1 < len(run):
                    terms[run[i:i + 2]] = None
        else:
            terms[run] = None
            parts = _LETTERS_OR_DIGITS.findall(run)
            if len(parts) > 1:
                terms.update(dict.fromkeys(parts))
    return list(terms)


def index_text_of(*texts: str) -> str:
    """``search_text`` for these texts: terms separated by spaces, with a space at each end
    so that a plain containment check (`` term ``) works on any database."""
    terms = index_terms("\n".join(t for t in texts if t))
    return f" {' '.join(terms)} " if terms else ""


def index_text(page) -> str:
    """``FeedEntry.search_text`` of a story: its title, summary, body, tags and place."""
    tags = " ".join(tag.name for tag in page.tags.all())
    return index_text_of(page.title, page.summary, page.body_text(), tags, page.place)


# --- queries --------------------------------------------------------------------------------

_segmenter = None
_segmenter_lock = threading.Lock()


def _jieba():
    """A jieba tokenizer of our own with the county's words, built once per process."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in [*COUNTY_WORDS, *(w for group in SYNONYMS for w in group)]:
                    tokenizer.add_word(word, freq=100_000)
                _segmenter = tokenizer
    return _segmenter


_SYNONYMS_OF = {word: group for group in SYNONYMS for word in group}


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: it matches when every term of any one alternative is indexed."""

    text: str
    alternatives: tuple[tuple[str, ...], ...]  # terms per spelling
    spellings: tuple[str, ...]  # for ranking by the title and summary


def segment(run: str) -> list[str]:
    """Words of a CJK run as jieba cuts it, stop words dropped; single characters in a row
    (a name jieba does not know, cut to pieces) are kept together as one word."""
    words, pending = [], ""
    for piece in _jieba().cut(run):
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


def parse_query(query: str) -> list[QueryWord]:
    """The words a query asks for; empty when it holds nothing searchable."""
    words: dict[str, QueryWord] = {}
    for kind, run in _runs((query or "")[:MAX_QUERY_CHARS]):
        if kind == "other":
            words.setdefault(run, QueryWord(run, ((run,),), (run,)))
            continue
        for word in segment(run):
            spellings = _SYNONYMS_OF.get(word, (word,))
            words.setdefault(word, QueryWord(word, tuple(gram_terms(s) for s in spellings),
                                             spellings))
    return list(words.values())[:MAX_QUERY_WORDS]


def tokens(text: str) -> list[str]:
    """The words of ``text`` as a query sees them (kept for callers of the first version)."""
    return [word.text for word in parse_query(text)]


def _tsquery(words: list[QueryWord]) -> str:
    def quote(term):
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join(
        "(" + " | ".join("(" + " & ".join(quote(t) for t in alt) + ")"
                         for alt in word.alternatives) + ")"
        for word in words)


def _fts5_query(words: list[QueryWord]) -> str:
    def quote(term):
        return '"' + term.replace('"', '""') + '"'

    return " AND ".join(
        "(" + " OR ".join("(" + " AND ".join(quote(t) for t in alt) + ")"
                          for alt in word.alternatives) + ")"
        for word in words)


def _match_condition(words: list[QueryWord], connection):
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    if connection.vendor == "postgresql":
        return RawSQL("to_tsvector('simple'::regconfig, \"news_feedentry\".\"search_text\") "
                      "@@ to_tsquery('simple'::regconfig, %s)", [_tsquery(words)],
                      output_field=BooleanField())
    if connection.vendor == "sqlite" and ensure_sqlite_index(connection):
        return RawSQL(f'"news_feedentry"."page_id" IN (SELECT rowid FROM {FTS_TABLE} '
                      f"WHERE {FTS_TABLE} MATCH %s)", [_fts5_query(words)],
                      output_field=BooleanField())
    condition = Q()
    for word in words:
        either = Q()
        for alt in word.alternatives:
            every = Q()
            for term in alt:
                every &= Q(search_text__contains=f" {term} ")
            either |= every
        condition &= either
    return condition


def _hits(field: str, words: list[QueryWord]):
    from django.db.models import Case, IntegerField, Q, Value, When

    total = Value(0)
    for word in words:
        seen = Q()
        for spelling in word.spellings:
            seen |= Q(**{f"{field}__icontains": spelling})
        total = total + Case(When(seen, then=Value(1)), default=Value(0),
                             output_field=IntegerField())
    return total


def search(query: str, *, limit: int = 50) -> list:
    """Live stories matching every word of ``query``: those with the words in the title
    first, then in the summary, then newest. Empty for a query with nothing to search."""
    from django.db import connection

    from .models import FeedEntry

    words = parse_query(query)
    if not words or limit <= 0:
        return []
    return list(
        FeedEntry.objects.filter(_match_condition(words, connection))
        .annotate(title_hits=_hits("title", words), summary_hits=_hits("summary", words))
        .select_related("cover", "channel")
        .order_by("-title_hits", "-summary_hits", "-published_at", "-page_id")[:limit])


# --- database side ----------------------------------------------------------------------------

def _sqlite_statements() -> list[str]:
    table, (ai, ad, au) = FTS_TABLE, _FTS_TRIGGERS
    return [
        # External content: the FTS index refers to news_feedentry rows instead of copying
        # them; detail=none because queries never need positions (AND/OR of single terms).
        (f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_text, "
         f"content='news_feedentry', content_rowid='page_id', detail=none)"),
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


def reindex(*, batch: int = 200) -> int:
    """Recompute ``search_text`` of every live story (after changing how text is indexed,
    e.g. from the first jieba-token version). Returns the number of stories updated."""
    from .models import FeedEntry, StoryPage

    ids = list(FeedEntry.objects.values_list("page_id", flat=True))
    done = 0
    for start in range(0, len(ids), batch):
        pages = StoryPage.objects.filter(pk__in=ids[start:start + batch]).specific()
        for page in pages:
            FeedEntry.objects.filter(page_id=page.pk).update(search_text=index_text(page))
            done += 1
    return done
