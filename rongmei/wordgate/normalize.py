"""Text normalisation for matching, keeping a map back to the original offsets.

Dictionary words and scanned text go through the same steps, one original character at a
time:

* NFKC (full-width → half-width letters, digits and punctuation; compatibility forms) and
  case-folding;
* invisible characters (zero-width spaces and joiners, BOM, soft hyphen, other format or
  control characters) are dropped and do not count as a gap;
* spaces, punctuation and symbols (emoji included) are dropped too, so "赌 博-网站" and
  "赌*博*网*站" still match 赌博网站 — and so do sentence marks (。！？；…), the commonest
  evasion ("出。售。枪。支"); but more than ``MAX_GAP`` of them in a row end the run: a
  filler of four or more characters separates words.
* a run of white space of any kind — spaces, no-break and ideographic spaces, tabs, line
  and paragraph breaks, the Unicode line/paragraph separators — counts as one filler
  character, however long: a title or comment shows a line break as a space, so "赌\u2028博"
  and "赌␣␣␣␣博" read as 赌博 and must match it. Only with ``paragraphs=True`` (the visible
  text of HTML, where a newline stands for a block boundary) does a newline end the run.

A break is written into the normalised text as ``BREAK`` (a newline, which no normalised
word contains), so the matcher needs no special case for it.

Traditional characters become simplified first (``rongmei.core.hanzi.to_simplified``, OpenCC's
maintained table, one character for one, so offsets still index the original text).

Words made only of Chinese characters are matched in a second form of the text,
``normalize_ideographs``, where everything that is not a Chinese character — Latin letters,
digits, kana, bopomofo, emoji, punctuation — is filler: "赌a博", "赌1博", "赌の博" all match
赌博, up to ``MAX_GAP`` filler characters in a row. Words holding Latin letters or digits
(bet365, vip代充) are matched in the first form, where those are kept.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rongmei.core.hanzi import to_simplified

MAX_GAP = 3
BREAK = "\n"
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
                       "\ufeff\u00ad\u034f\u180e")

# What one original character becomes: ("keep", "chars"), ("gap", ""), ("skip", "") or
# ("space", ""): a gap, but a run of them is one. Memoised per character: articles reuse a
# few thousand distinct characters.
_KEEP, _GAP, _SKIP, _SPACE = 0, 1, 2, 3
_char_cache: dict[str, tuple[int, str]] = {}


def _classify(char: str) -> tuple[int, str]:
    if char.isspace():
        return _SPACE, ""
    if char in _INVISIBLE:
        return _SKIP, ""
    category = unicodedata.category(char)
    if category in ("Cf", "Cc", "Mn", "Me"):  # format/control chars, combining marks
        return _SKIP, ""
    folded = unicodedata.normalize("NFKC", char).casefold()
    kept = "".join(c for c in folded
                   if unicodedata.category(c)[0] not in "PSZC" and c not in _INVISIBLE)
    if not kept:
        return _GAP, ""
    return _KEEP, kept


def _action(char: str) -> tuple[int, str]:
    if "\u4e00" <= char <= "\u9fff":  # common CJK ideographs: nothing to do
        return _KEEP, char
    result = _char_cache.get(char)
    if result is None:
        result = _classify(char)
        if len(_char_cache) < 100_000:
            _char_cache[char] = result
    return result


@dataclass(frozen=True)
class NormalizedText:
    text: str  # the normalised text (may contain BREAK)
    origin: tuple[int, ...]  # origin[i]: offset in the original of normalised char i


def is_ideograph(char: str) -> bool:
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
            or "\U00020000" <= char <= "\U0003134f")


_ideograph_cache: dict[str, tuple[int, str]] = {}


def _ideograph_action(char: str) -> tuple[int, str]:
    """Like ``_action``, but only Chinese characters are kept; other letters are filler."""
    result = _ideograph_cache.get(char)
    if result is None:
        action, kept = _action(char)
        if action == _KEEP:
            kept = "".join(c for c in kept if is_ideograph(c))
            action = _KEEP if kept else _GAP
        result = (action, kept)
        if len(_ideograph_cache) < 100_000:
            _ideograph_cache[char] = result
    return result


def _normalize(text: str, action_of, paragraphs: bool) -> NormalizedText:
    """The one normalising loop: ``action_of`` says what each character becomes."""
    out: list[str] = []
    origin: list[int] = []
    gap = 0
    spacing = False
    for index, char in enumerate(text):
        if "\u4e00" <= char <= "\u9fff":  # the common case, kept as it is
            action, kept = _KEEP, char
        else:
            action, kept = action_of(char)
        if action == _KEEP:
            if gap > MAX_GAP and out and out[-1] != BREAK:
                out.append(BREAK)
                origin.append(index)
            gap = 0
            spacing = False
            for c in kept:
                out.append(c)
                origin.append(index)
        elif action == _GAP:
            gap += 1
            spacing = False
        elif action == _SPACE:
            if paragraphs and char == "\n":  # a block boundary of html_visible_text
                if out and out[-1] != BREAK:
                    out.append(BREAK)
                    origin.append(index)
                gap, spacing = 0, False
                continue
            gap += not spacing
            spacing = True
    return NormalizedText("".join(out), tuple(origin))


def normalize_ideographs(text: str, *, paragraphs: bool = False) -> NormalizedText:
    """The text as Chinese characters only (simplified), filler dropped up to ``MAX_GAP``."""
    return _normalize(to_simplified(text), _ideograph_action, paragraphs)


def normalize_text(text: str, *, simplify: bool = True,
                   paragraphs: bool = False) -> NormalizedText:
    return _normalize(to_simplified(text) if simplify else text, _action, paragraphs)


def normalize_word(word: str) -> str:
    """The form a dictionary entry is matched (and kept unique) by: case-folded, half-width,
    without spaces, punctuation or invisible characters."""
    return normalize_text(word or "").text.replace(BREAK, "")


def is_ascii_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()
