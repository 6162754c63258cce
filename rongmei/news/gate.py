"""The sensitive-word and typo gate for stories: checked on submit, at every review step and
at publish (by hand, by an approver or by the scheduler).

"Block" words stop the story; "review" words only warn the editor. The words themselves and
the matching live in ``rongmei.wordgate``; this module decides what of a story is checked.
"""

from __future__ import annotations


class ContentBlocked(Exception):
    """Publishing refused: the story contains words the gate blocks."""

    def __init__(self, verdict):
        self.verdict = verdict
        super().__init__(verdict.message)


class MediaNotReady(Exception):
    """Publishing waits: the story's video or audio is not transcoded yet."""


def check_page(page):
    """The combined verdict over every resident-visible field of a story page."""
    from rongmei.wordgate.services import Verdict, scan

    hits = []
    for text in page.gate_fields().values():
        if text:
            hits.extend(scan(text).hits)
    return Verdict(hits=tuple(hits))


def check_revision(revision):
    """Verdict for the page a revision holds, or None when it is not a gated page."""
    page = revision.as_object()
    if not hasattr(page, "gate_fields"):
        return None
    return check_page(page)


def mark_hits(text: str, hits) -> str:
    """``text`` with each hit wrapped in 【】 (plain text: shows the same in every message,
    e-mail or log, escaped or not)."""
    out, position = [], 0
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if hit.start < position:
            continue  # overlapping: the longer, earlier hit is already marked
        out += [text[position:hit.start], "【", text[hit.start:hit.end], "】"]
        if hit.suggestion:
            out.append(f"（应为“{hit.suggestion}”）")
        position = hit.end
    out.append(text[position:])
    return "".join(out)


def report(fields: dict[str, str], *, blocked_only: bool = False) -> str:
    """Each field with hits, its text (or the parts around the hits) with the hits marked."""
    from rongmei.wordgate.services import scan

    rows = []
    for label, text in fields.items():
        excerpt = _excerpt(text or "")
        verdict = scan(excerpt)
        hits = verdict.block_hits if blocked_only else verdict.hits
        if hits:
            rows.append(f"{label}：{mark_hits(excerpt, hits)}")
    return "；".join(rows)


def report_html(page) -> str:
    return report(page.gate_fields())


def _excerpt(text: str, width: int = 30) -> str:
    """Long text shortened to the parts around its hits, so messages stay readable."""
    from rongmei.wordgate.services import scan

    if len(text) <= 160:
        return text
    pieces = []
    for hit in scan(text).hits[:5]:
        start, end = max(hit.start - width, 0), min(hit.end + width, len(text))
        pieces.append(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))
    return " ".join(pieces)
