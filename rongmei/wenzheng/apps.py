from django.apps import AppConfig


class WenzhengConfig(AppConfig):
    name = "rongmei.wenzheng"
    label = "wenzheng"
    verbose_name = "问政"
    # The earning rules this app pays (points.selectors.payable_actions: 今日任务).
    points_pays = ("wenzheng_helpful",)

    def ready(self):
        from . import signals  # noqa: F401 - erasure on account deletion
        from .services import notify

        # Notice kinds (and their SMS templates: SMS_TENCENT_TEMPLATES names them).
        notify.register_kinds()
