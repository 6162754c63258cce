from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save


class AccountsConfig(AppConfig):
    name = "rongmei.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self):
        from wagtail.users.models import UserProfile

        from . import tokens
        from .avatars import clean_new_avatar
        from .models import AppToken, User

        pre_save.connect(clean_new_avatar, sender=UserProfile,
                         dispatch_uid="rongmei-clean-avatar")
        # The bearer-token cache (accounts.tokens) forgets a token before any door ends it.
        pre_delete.connect(tokens.token_deleted, sender=AppToken,
                           dispatch_uid="rongmei-token-cache-delete")
        pre_save.connect(tokens.user_saved, sender=User, dispatch_uid="rongmei-token-cache-user")
