"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _forget_push_subscriptions(sender, user, **kwargs):
    """注销: a deleted account's browsers stop getting pushes (the endpoint and the browser's
    user agent are tied to the person's phone)."""
    from .models import PushSubscription

    PushSubscription.objects.filter(user=user).delete()


account_deleted.connect(_forget_push_subscriptions, dispatch_uid="push-forget-subscriptions")
