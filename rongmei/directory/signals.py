"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_directory(sender, user, **kwargs):
    """注销: which services the person used and pinned is about them; the per-day usage
    counts are not (they name nobody) and stay."""
    from .models import Favourite, RecentUse

    RecentUse.objects.filter(user=user).delete()
    Favourite.objects.filter(user=user).delete()


account_deleted.connect(_erase_directory, dispatch_uid="directory-erase-mine")
