"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_person(sender, user, **kwargs):
    """注销: registration answers go; entries stay as the contest's record under no name,
    votes stay (the counts others saw must not change), their signals are cleared."""
    from .models import Registration, Vote

    Registration.objects.filter(user=user).update(answers={})
    Vote.objects.filter(voter=user).update(ip=None, device_id="")


account_deleted.connect(_erase_person, dispatch_uid="activities-erase-person")
