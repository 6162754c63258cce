from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """消息通知: one inbox (待办/消息) and one SMS path for every capability's notices."""

    name = "rongmei.notices"
    label = "notices"
    verbose_name = "消息通知"

    def ready(self):
        from . import checks, signals  # noqa: F401 - SMS template check; erasure on 注销
