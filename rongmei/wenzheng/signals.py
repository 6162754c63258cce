"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_wenzheng(sender, user, **kwargs):
    """注销: the person's 问政 lose their personal data (services.erasure)."""
    from .services.erasure import erase_for_account

    erase_for_account(user)


account_deleted.connect(_erase_wenzheng, dispatch_uid="wenzheng-erase-cases")
