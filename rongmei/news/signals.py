"""Publishing a story updates its feed copy and delivers it; unpublishing takes it down."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from rongmei.units.models import Unit, UnitMembership

from . import services
from .models import StoryPage

log = logging.getLogger(__name__)


def _on_published(sender, instance, revision=None, **kwargs):
    if not isinstance(instance, StoryPage):
        return
    services.refresh_feed_entry(instance)
    if not services.is_public(instance):
        return  # 隐私: not sent to the outlets, not pushed
    user = getattr(revision, "user", None)
    first_time = instance.first_published_at == instance.last_published_at

    def after_commit():
        services.distribute_story(instance, user=user)
        if instance.is_breaking and first_time:
            services.push_breaking(instance)

    transaction.on_commit(after_commit)


def _on_unpublished(sender, instance, **kwargs):
    if not isinstance(instance, StoryPage):
        return
    services.remove_feed_entry(instance.pk)
    transaction.on_commit(lambda: services.retract_story(instance))


def _on_membership_changed(sender, instance, **kwargs):
    from rongmei.core import roles
    if instance.role != roles.UNIT_ADMIN:
        return
    for section in services.sections_for_membership(instance):
        services.sync_section_group(section)


for model in StoryPage.__subclasses__():
    page_published.connect(_on_published, sender=model, dispatch_uid=f"news-pub-{model.__name__}")
    page_unpublished.connect(_on_unpublished, sender=model,
                             dispatch_uid=f"news-unpub-{model.__name__}")
def _on_unit_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return  # fixtures loading
    services.unit_changed(instance)


def _on_restriction_changed(sender, instance, **kwargs):
    page = instance.page
    transaction.on_commit(lambda: services.restriction_changed(page))


post_save.connect(_on_unit_saved, sender=Unit, dispatch_uid="news-unit")
post_save.connect(_on_restriction_changed, sender=PageViewRestriction,
                  dispatch_uid="news-restriction-saved")
post_delete.connect(_on_restriction_changed, sender=PageViewRestriction,
                    dispatch_uid="news-restriction-deleted")
post_save.connect(_on_membership_changed, sender=UnitMembership, dispatch_uid="news-membership")
post_delete.connect(_on_membership_changed, sender=UnitMembership,
                    dispatch_uid="news-membership-del")
