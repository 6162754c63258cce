"""The sensitive-word and typo gate for stories: checked on submit, at every review step and
at publish (by hand, by an approver or by the scheduler).

"Block" words stop the story; "review" words only warn the editor. The words themselves and
the matching live in ``rongmei.wordgate``; this module decides what of a story is checked.
"""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.safestring import mark_safe


class ContentBlocked(Exception):
    """Publishing refused: the story contains words the gate blocks."""

    def __init__(self, verdict):
        self.verdict = verdict
        super().__init__(verdict.message)


def check_page(page):
    """The combined verdict over every resident-visible field of a story page."""
    from rongmei.wordgate.services import Verdict, scan

    hits = []
    for _label, text in page.gate_fields().items():
        if text:
            hits.extend(scan(text).hits)
    return Verdict(hits=tuple(hits))


def check_revision(revision):
    """Verdict for the story a revision holds, or None when the revision is not a story."""
    from .models import StoryPage

    page = revision.as_object()
    if not isinstance(page, StoryPage):
        return None
    return check_page(page)


def report_html(page) -> str:
    """Each field with hits, its text (or the parts around the hits) highlighted."""
    from rongmei.wordgate.services import highlight_html, scan

    rows = []
    for label, text in page.gate_fields().items():
        excerpt = _excerpt(text or "")
        verdict = scan(excerpt)
        if verdict.hits:
            rows.append((label, mark_safe(highlight_html(excerpt, verdict.hits))))
    return format_html_join("", "<br><b>{}</b>：{}", rows)


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
