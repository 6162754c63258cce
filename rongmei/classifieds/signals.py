"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_classifieds(sender, user, **kwargs):
    """注销: the person's posts (with their photos and contact numbers) go, and so does the
    record of whose numbers they revealed. Reveals of their posts by others go with the posts."""
    from django.db import transaction

    from .models import ContactReveal, Post, PostPhoto

    files = [photo.image for photo in PostPhoto.objects.filter(post__author=user)]
    ContactReveal.objects.filter(user=user).delete()
    Post.objects.filter(author=user).delete()
    # The files go once the deletion has committed (a rolled-back 注销 keeps them).
    transaction.on_commit(lambda: [image.delete(save=False) for image in files])


account_deleted.connect(_erase_classifieds, dispatch_uid="classifieds-erase-posts")
