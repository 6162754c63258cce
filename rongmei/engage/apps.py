from django.apps import AppConfig


class EngageConfig(AppConfig):
    name = "rongmei.engage"
    label = "engage"
    verbose_name = "互动"
