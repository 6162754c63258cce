"""Publishing, unpublishing or deleting any page makes every cached page stale."""

from wagtail.signals import page_published, page_unpublished
from django.db.models.signals import post_delete

from rongmei.core.pagecache import invalidate_all
from wagtail.models import Page


def _invalidate(**kwargs):
    invalidate_all()


page_published.connect(_invalidate, dispatch_uid="rongmei-home-page-published")
page_unpublished.connect(_invalidate, dispatch_uid="rongmei-home-page-unpublished")
post_delete.connect(_invalidate, sender=Page, dispatch_uid="rongmei-home-page-deleted")
