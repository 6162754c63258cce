"""Decoupled-app signal handlers."""

from wagtail.signals import page_published

from rongmei.accounts.signals import account_deleted


def _erase_tips(sender, user, **kwargs):
    """注销: a resident's tips lose their contact details, photos and videos (a copy the
    desk imported into the media library is the newsroom's); the text stays with the
    newsroom (a lead it may have turned into a story), no longer tied to the person, and
    masked as 问政's is when its citizen leaves (numbers, addresses, the names they gave)."""
    from django.db import transaction

    from rongmei.core.masking import mask_personal_text

    from .models import Tip, TipPhoto, TipVideo

    photos = TipPhoto.objects.filter(tip__sender=user, tip__source="resident")
    videos = TipVideo.objects.filter(tip__sender=user, tip__source="resident")
    files = [photo.image for photo in photos] + [video.file for video in videos]
    photos.delete()
    videos.delete()
    for tip in Tip.objects.filter(sender=user, source="resident"):
        names = [tip.contact_name] if tip.contact_name else []  # (the account's is gone)
        Tip.objects.filter(pk=tip.pk).update(
            title=mask_personal_text(tip.title, names=names)[:60],
            body=mask_personal_text(tip.body, names=names)[:2000],
            place=mask_personal_text(tip.place, names=names)[:100])
    Tip.objects.filter(sender=user, source="resident").update(
        sender=None, contact_name="", contact_phone="", latitude=None, longitude=None)
    transaction.on_commit(lambda: [image.delete(save=False) for image in files])


account_deleted.connect(_erase_tips, dispatch_uid="planning-erase-tips")


def _story_published(sender, instance, **kwargs):
    """爆料采用 pays when the story made from an adopted tip goes live (rewards.py)."""
    from rongmei.news.models import StoryPage

    from .models import Assignment
    from .rewards import pay_tips_for_story

    if isinstance(instance, StoryPage) and Assignment.objects.filter(
            story_id=instance.pk).exists():
        pay_tips_for_story(instance)


page_published.connect(_story_published, dispatch_uid="planning-tip-points")
