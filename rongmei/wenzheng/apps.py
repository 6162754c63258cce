from django.apps import AppConfig


class WenzhengConfig(AppConfig):
    name = "rongmei.wenzheng"
    label = "wenzheng"
    verbose_name = "问政"

    def ready(self):
        # The SMS template for case status changes lives with this app (accounts keeps the
        # generic ones); Tencent maps it to SMS_TENCENT["TEMPLATES"]["wenzheng_status"].
        from rongmei.accounts import sms

        from .services.common import SMS_TEMPLATE, SMS_TEXT

        sms.TEMPLATES.setdefault(SMS_TEMPLATE, SMS_TEXT)
