"""What 志愿者之家 vouches for about a person (``rongmei.core.standing``)."""

from __future__ import annotations


def volunteer_stars(user) -> int | None:
    """The registered volunteer's star level by confirmed hours (0 for a volunteer without
    stars yet); None for someone who is not a volunteer."""
    from .models import Volunteer

    volunteer = Volunteer.objects.filter(user_id=user.pk).only("total_minutes").first()
    return volunteer.stars if volunteer else None
