from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "rongmei.merchants"
    label = "merchants"
    verbose_name = "企业之家"

    def ready(self):
        # The clerk-invitation SMS lives with this app (accounts keeps the generic ones);
        # Tencent maps it to SMS_TENCENT["TEMPLATES"]["merchant_invite"].
        from rongmei.accounts import sms

        from .services import INVITE_SMS_TEMPLATE, INVITE_SMS_TEXT

        sms.TEMPLATES.setdefault(INVITE_SMS_TEMPLATE, INVITE_SMS_TEXT)
