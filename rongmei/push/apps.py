from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "rongmei.push"
    label = "push"
    verbose_name = "消息推送"

    def ready(self):
        from . import checks, signals  # noqa: F401 - deploy check; erasure on account deletion
