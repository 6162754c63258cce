"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_tips(sender, user, **kwargs):
    """注销: a resident's tips lose their contact details and photos; the text stays with the
    newsroom (a lead it may have turned into a story), no longer tied to the person."""
    from django.db import transaction

    from .models import Tip, TipPhoto

    photos = TipPhoto.objects.filter(tip__sender=user, tip__source="resident")
    files = [photo.image for photo in photos]
    photos.delete()
    Tip.objects.filter(sender=user, source="resident").update(
        sender=None, contact_name="", contact_phone="", latitude=None, longitude=None)
    transaction.on_commit(lambda: [image.delete(save=False) for image in files])


account_deleted.connect(_erase_tips, dispatch_uid="planning-erase-tips")
