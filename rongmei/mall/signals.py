"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_delivery_details(sender, user, **kwargs):
    """注销: delivery name, phone and address are personal data; the orders stay for the
    merchant's and operator's books, anonymised."""
    from .models import Order

    Order.objects.filter(user=user).update(recipient="", phone="", address="")


account_deleted.connect(_erase_delivery_details, dispatch_uid="mall-erase-delivery-details")
