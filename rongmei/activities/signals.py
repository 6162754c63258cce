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


def _forget_vote_rules(sender, **kwargs):
    """An entry or contest saved in this process: its votes stop using the cached rules at
    once here (other workers within ``services.votes.RULES_SECONDS``)."""
    from .services.votes import forget_rules

    forget_rules()


def _connect_rules_cache():
    from django.db.models.signals import post_delete, post_save

    from .models import Contest, Entry

    for model in (Contest, Entry):
        post_save.connect(_forget_vote_rules, sender=model,
                          dispatch_uid=f"activities-vote-rules-{model.__name__}")
        post_delete.connect(_forget_vote_rules, sender=model,
                            dispatch_uid=f"activities-vote-rules-gone-{model.__name__}")


_connect_rules_cache()
