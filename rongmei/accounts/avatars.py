"""Staff avatars go through the same cleaning as every other upload.

Wagtail's own avatar form stores a small picture as uploaded — with its GPS position, camera
serial and the client's file name and extension. Every ``UserProfile`` saved with a new
avatar file is re-encoded by ``rongmei.core.uploads.clean_image`` first (at most 400 px, a
server-chosen name, metadata gone), whichever form or script set it.
"""

from __future__ import annotations

import logging

from rongmei.core.errors import ServiceError
from rongmei.core.uploads import clean_image

logger = logging.getLogger(__name__)


def clean_new_avatar(sender, instance, **kwargs) -> None:
    """``pre_save`` of ``wagtail.users.models.UserProfile``."""
    avatar = instance.avatar
    if not avatar or getattr(avatar, "_committed", True):
        return  # no avatar, or the stored one (already cleaned)
    try:
        cleaned = clean_image(avatar.file, field="avatar", max_side=400,
                              other_formats_as_png=True)
    except ServiceError as exc:  # the form let through what the pipeline refuses
        logger.warning("avatar refused for user %s: %s", instance.user_id, exc.code)
        instance.avatar = None
        return
    instance.avatar.save(cleaned.name, cleaned, save=False)
