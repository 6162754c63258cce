"""Publishing, unpublishing or deleting a page makes the cached pages that show it stale.

A story (a page with a ``channel_id`` and a ``kind``) touches its own page, the lists (home,
新闻, sections, feeds) and its channel's 相关 lists; any other page — the home page's layout,
a section's settings — may show anywhere, so everything goes. So does moving a page (its
subtree's addresses change) and any change of 隐私 (a restriction covers the subtree): both are
rare, and a page restricted to signed-in readers must stop showing to visitors at once.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from rongmei.core.pagecache import (ALL, LISTS, channel_tag, invalidate, invalidate_all,
                                    invalidate_on_commit, page_tag)


def _invalidate(sender=None, instance=None, **kwargs):
    page = instance
    if page is not None and hasattr(page, "channel_id") and hasattr(page, "kind"):
        tags = [page_tag(page.pk), LISTS]
        if page.channel_id:
            tags.append(channel_tag(page.channel_id))
        invalidate(*tags)
    else:
        invalidate_all()


def _invalidate_everything(sender=None, **kwargs):
    invalidate_on_commit(ALL)  # once the move or the restriction is what readers get


page_published.connect(_invalidate, dispatch_uid="rongmei-home-page-published")
page_unpublished.connect(_invalidate, dispatch_uid="rongmei-home-page-unpublished")
post_delete.connect(_invalidate, sender=Page, dispatch_uid="rongmei-home-page-deleted")
post_page_move.connect(_invalidate_everything, dispatch_uid="rongmei-home-page-moved")
post_save.connect(_invalidate_everything, sender=PageViewRestriction,
                  dispatch_uid="rongmei-home-restriction-saved")
post_delete.connect(_invalidate_everything, sender=PageViewRestriction,
                    dispatch_uid="rongmei-home-restriction-deleted")
