"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_notices(sender, user, **kwargs):
    """注销: a deleted account's inbox goes, and with it the phone numbers kept for SMS."""
    from .models import Notice

    Notice.objects.filter(user=user).delete()


account_deleted.connect(_erase_notices, dispatch_uid="notices-erase-inbox")
