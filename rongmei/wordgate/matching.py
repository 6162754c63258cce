"""The matcher: one Aho-Corasick automaton over the normalised dictionary, and the results.

``Matcher.find(text)`` normalises the text (``normalize.py``), runs the automaton once over
it and maps every match back to offsets in the original text. Offsets are Python string
indices (Unicode code points): ``text[hit.start:hit.end]`` is the matched stretch, including
any spaces or punctuation inserted inside the word. (JavaScript counts UTF-16 units; use
``Array.from(text)`` there when the text may hold characters outside the BMP, such as emoji.)

Overlaps: every distinct entry found at a place is reported, except an entry lying wholly
inside a longer hit that is at least as severe (赌博 inside 赌博网站 is not reported again
when both would block). For highlighting, the longest hit wins (``non_overlapping``).
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from html.parser import HTMLParser

import ahocorasick

from .normalize import (
    BREAK,
    is_ascii_word_char,
    is_ideograph,
    normalize_ideographs,
    normalize_text,
)

BLOCK = "block"
REVIEW = "review"
SENSITIVE = "sensitive"
TYPO = "typo"
_SEVERITY = {BLOCK: 2, REVIEW: 1}


@dataclass(frozen=True)
class Hit:
    word: str  # the dictionary entry that matched
    start: int  # offsets into the ORIGINAL text given to scan()
    end: int
    level: str  # "block" (stops publishing) | "review" (warns)
    kind: str  # "sensitive" | "typo"
    suggestion: str  # for typos the right form, else ""

    def as_dict(self) -> dict:
        return {"word": self.word, "start": self.start, "end": self.end, "level": self.level,
                "kind": self.kind, "suggestion": self.suggestion}


def _unique_words(hits) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for hit in hits:
        seen.setdefault(hit.word, hit)
    return list(seen.values())


def _describe(hit: Hit) -> str:
    return f"{hit.word}（应为“{hit.suggestion}”）" if hit.suggestion else hit.word


@dataclass(frozen=True)
class Verdict:
    hits: tuple[Hit, ...]

    @property
    def blocked(self) -> bool:
        """Any block-level hit: the text must not be published as it is."""
        return any(hit.level == BLOCK for hit in self.hits)

    @property
    def block_hits(self) -> tuple[Hit, ...]:
        return tuple(hit for hit in self.hits if hit.level == BLOCK)

    @property
    def review_hits(self) -> tuple[Hit, ...]:
        return tuple(hit for hit in self.hits if hit.level == REVIEW)

    @property
    def message(self) -> str:
        """A Chinese summary naming each entry once, "" when the text is clean, e.g.
        ``含有禁用词：赌博网站、代开发票；请核对：按装（应为“安装”）``."""
        parts = []
        if self.block_hits:
            parts.append("含有禁用词：" + "、".join(map(_describe, _unique_words(self.block_hits))))
        if self.review_hits:
            parts.append("请核对：" + "、".join(map(_describe, _unique_words(self.review_hits))))
        return "；".join(parts)


CLEAN = Verdict(hits=())


@dataclass(frozen=True)
class Entry:
    word: str
    level: str
    kind: str
    suggestion: str


class _PairEncoder(dict):
    """``str.translate`` table writing each character as two symbols, its high bits and its
    low byte (from disjoint ranges, so a match can only start on a character boundary).

    Why: pyahocorasick finds a node's child by a linear scan of its children. Over raw
    Chinese text the root has a child for every first character in the dictionary (tens of
    thousands for a large one), so each character of the text cost a scan of thousands;
    written as pairs, no node has more than 256 children and a scan is ~25× faster
    (``bench/wordgate_scan.py``)."""

    def __missing__(self, code: int) -> str:
        pair = chr(0x1000 + (code >> 8)) + chr(0x100 + (code & 0xFF))
        if len(self) < 200_000:
            self[code] = pair
        return pair


_ENCODER = _PairEncoder()


def _encode(text: str) -> str:
    return text.translate(_ENCODER)


def _automaton(entries: dict[str, Entry]):
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    for key, entry in entries.items():
        automaton.add_word(_encode(key), (len(key), entry, is_ascii_word_char(key[0]),
                                          is_ascii_word_char(key[-1])))
    automaton.make_automaton()
    return automaton


class Matcher:
    """An immutable automaton over ``{normalised word: Entry}``; safe to share across threads.

    Entries made only of Chinese characters are matched against ``normalize_ideographs``
    (letters, digits, kana… inserted between the characters are filler); the others
    (Latin letters, digits) against ``normalize_text``. ``strong=False`` is the matching
    before traditional characters and inserted letters were seen through (kept for
    ``rongmei bench wordgate-scan``, which compares the two)."""

    def __init__(self, entries: dict[str, Entry], *, strong: bool = True):
        self.size = len(entries)
        self.strong = strong
        ideographic: dict[str, Entry] = {}
        other: dict[str, Entry] = {}
        for key, entry in entries.items():
            if strong:
                key = normalize_text(key).text.replace(BREAK, "")  # also simplified
                if not key:
                    continue
            target = ideographic if strong and all(map(is_ideograph, key)) else other
            target.setdefault(key, entry)
        self._ideographic = _automaton(ideographic)
        self._other = _automaton(other)

    def find(self, text: str, *, paragraphs: bool = False) -> Verdict:
        """``paragraphs``: ``text`` is ``html_visible_text``, whose newlines are block
        boundaries a word never spans (in plain text a newline is shown as a space)."""
        if not text or (self._ideographic is None and self._other is None):
            return CLEAN
        found: dict[tuple[int, int, str], Hit] = {}
        if self._ideographic is not None:
            _collect(self._ideographic, normalize_ideographs(text, paragraphs=paragraphs),
                     found)
        if self._other is not None:
            _collect(self._other, normalize_text(text, simplify=self.strong,
                                                 paragraphs=paragraphs), found)
        if not found:
            return CLEAN
        return Verdict(hits=tuple(_drop_shadowed(found.values())))


def _collect(automaton, normalized, found) -> None:
    norm, origin = normalized.text, normalized.origin
    for end_symbol, (length, entry, ascii_start, ascii_end) in automaton.iter(_encode(norm)):
        last = end_symbol // 2
        first = last - length + 1
        # Latin and digit entries match whole words only ("sex" is not in "Essex").
        if ascii_start and first > 0 and is_ascii_word_char(norm[first - 1]):
            continue
        if ascii_end and last + 1 < len(norm) and is_ascii_word_char(norm[last + 1]):
            continue
        start, end = origin[first], origin[last] + 1
        found.setdefault((start, end, entry.word), Hit(
            entry.word, start, end, entry.level, entry.kind, entry.suggestion))


def _drop_shadowed(hits) -> list[Hit]:
    """Sort by position (longest first at a start) and drop each hit that lies inside a
    longer hit at least as severe. One sweep: every earlier hit in this order starts no
    later, so "inside" is "some earlier, different span reaches at least as far"."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), h.word))
    kept = []
    reach = {BLOCK: -1, REVIEW: -1}  # furthest end of earlier spans at least this severe
    pending = {BLOCK: -1, REVIEW: -1}  # the same, including the current span's group
    span = None
    for hit in ordered:
        if (hit.start, hit.end) != span:
            span = (hit.start, hit.end)
            reach = dict(pending)
        if reach[hit.level] < hit.end:
            kept.append(hit)
        pending[REVIEW] = max(pending[REVIEW], hit.end)
        if hit.level == BLOCK:
            pending[BLOCK] = max(pending[BLOCK], hit.end)
    return kept


def non_overlapping(hits) -> list[Hit]:
    """The hits to highlight: where hits overlap, the longest wins (then the more severe,
    then the earlier); returned in text order."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -_SEVERITY[h.level], h.start)):
        if all(hit.end <= c.start or c.end <= hit.start for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def highlight_html(text: str, hits) -> str:
    """``text`` HTML-escaped, with each (non-overlapping, longest-wins) hit wrapped in
    ``<mark class="wg-block">`` or ``<mark class="wg-review" title="建议：…">``."""
    out = []
    position = 0
    for hit in non_overlapping(hits):
        if hit.start < position or hit.end > len(text):
            continue
        out.append(html_lib.escape(text[position:hit.start]))
        css = "wg-block" if hit.level == BLOCK else "wg-review"
        if hit.suggestion:
            title = f"建议：{hit.suggestion}"
        elif hit.level == BLOCK:
            title = "禁用词，须删除或改写"
        else:
            title = "建议：请核对此处用语"
        out.append(f'<mark class="{css}" title="{html_lib.escape(title)}">'
                   f"{html_lib.escape(text[hit.start:hit.end])}</mark>")
        position = hit.end
    out.append(html_lib.escape(text[position:]))
    return "".join(out)


# -- HTML → visible text -------------------------------------------------------------------

_INVISIBLE_TAGS = {"script", "style", "template", "noscript", "head", "title", "iframe",
                   "object", "svg", "math"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "tr", "td", "th", "table", "section", "article", "figure",
               "figcaption", "pre", "hr", "header", "footer", "aside", "dd", "dt", "caption"}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def _newline(self):
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag, attrs):
        if tag in _INVISIBLE_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self._newline()
        elif tag in ("img", "embed"):  # alt text is shown when the image is not, and is
            # read aloud; Wagtail stores a rich-text image as <embed embedtype="image" alt>
            alt = dict(attrs).get("alt")
            if alt and not self.hidden:
                self.parts.append(alt)

    def handle_startendtag(self, tag, attrs):
        if tag in _INVISIBLE_TAGS:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _INVISIBLE_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._newline()

    def handle_data(self, data):
        if not self.hidden:  # a newline in HTML source is a space; only blocks make lines
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_visible_text(html: str) -> str:
    """The text a reader sees in ``html``: tags removed, entities decoded, script/style
    contents dropped, image alt text kept, and a line break at each block element (so a
    word never matches across two paragraphs). ``scan_html`` offsets index into this."""
    parser = _VisibleText()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip("\n")


__all__ = [
    "BLOCK",
    "BREAK",
    "CLEAN",
    "REVIEW",
    "SENSITIVE",
    "TYPO",
    "Entry",
    "Hit",
    "Matcher",
    "Verdict",
    "highlight_html",
    "html_visible_text",
    "non_overlapping",
]
