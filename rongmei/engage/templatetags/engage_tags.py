"""``{% engage_bar page %}``: like / favourite / share buttons with counts, the approved
comments (keyset "加载更多") and the comment form. The HTML is the same for every visitor
(story pages are served from the anonymous page cache); what is personal — liked? my
comments awaiting review? — is fetched by engage.js from ``/api/v1/engage/pages/{id}/state``.
"""

from __future__ import annotations

from django import template

from rongmei.core.masking import mask_phone

from .. import selectors
from ..models import PageCommentSetting, ReportCategory

register = template.Library()


def display_name(user) -> str:
    """How a resident is shown under a comment: their nickname, else a masked phone."""
    if user is None:
        return "网友"
    return user.nickname or (mask_phone(user.phone) if user.phone else "网友")


register.filter("engage_author", display_name)


@register.inclusion_tag("engage/bar.html")
def engage_bar(page, *, with_comments: bool = True):
    counts = selectors.page_counts(page.pk)
    comments, next_cursor = (selectors.public_comments(page_id=page.pk, limit=10)
                             if with_comments else ([], None))
    return {
        "page": page, "counts": counts, "comments": comments, "next_cursor": next_cursor,
        "with_comments": with_comments,
        "comments_open": not PageCommentSetting.objects.filter(
            page_id=page.pk, comments_closed=True).exists(),
        "report_categories": ReportCategory.choices,
        "page_url": page.url or "/",
    }
