"""Decoupled-app signal handlers."""

from rongmei.accounts.signals import account_deleted


def _erase_volunteer(sender, user, **kwargs):
    """注销: the volunteer's name and details go; the service records (activities, hours,
    who confirmed them) stay, as the organiser's record of what was done, under no name."""
    from .models import Volunteer

    Volunteer.objects.filter(user=user).update(real_name="已注销", skills="", availability="",
                                                area=None)


account_deleted.connect(_erase_volunteer, dispatch_uid="volunteers-erase-person")
