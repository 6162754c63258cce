from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "rongmei.push"
    label = "push"
    verbose_name = "消息推送"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check
