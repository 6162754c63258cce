"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_person(sender, user, **kwargs):
    """注销: registration answers and photos go; entries stay as the contest's record under no name,
    votes stay (the counts others saw must not change), their signals are cleared."""
    from django.db import transaction

    from .models import Registration, RegistrationPhoto, Vote

    Registration.objects.filter(user=user).update(answers={}, id_number_encrypted="")
    photos = list(RegistrationPhoto.objects.filter(registration__user=user))
    RegistrationPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()
    transaction.on_commit(lambda: [p.image.delete(save=False) for p in photos])
    Vote.objects.filter(voter=user).update(ip=None, device_id="")


account_deleted.connect(_erase_person, dispatch_uid="activities-erase-person")
