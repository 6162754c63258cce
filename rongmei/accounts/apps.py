from django.apps import AppConfig
from django.db.models.signals import pre_save


class AccountsConfig(AppConfig):
    name = "rongmei.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from wagtail.users.models import UserProfile

        from .avatars import clean_new_avatar

        pre_save.connect(clean_new_avatar, sender=UserProfile,
                         dispatch_uid="rongmei-clean-avatar")
