"""Publishing, unpublishing or deleting a page makes the cached pages that show it stale.

A story (a page with a ``channel_id`` and a ``kind``) touches its own page, the lists (home,
新闻, sections, feeds) and its channel's 相关 lists; any other page — the home page's layout,
a section's settings — may show anywhere, so everything goes.
"""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from rongmei.core.pagecache import LISTS, channel_tag, invalidate, invalidate_all, page_tag


def _invalidate(sender=None, instance=None, **kwargs):
    page = instance
    if page is not None and hasattr(page, "channel_id") and hasattr(page, "kind"):
        tags = [page_tag(page.pk), LISTS]
        if page.channel_id:
            tags.append(channel_tag(page.channel_id))
        invalidate(*tags)
    else:
        invalidate_all()


page_published.connect(_invalidate, dispatch_uid="rongmei-home-page-published")
page_unpublished.connect(_invalidate, dispatch_uid="rongmei-home-page-unpublished")
post_delete.connect(_invalidate, sender=Page, dispatch_uid="rongmei-home-page-deleted")
