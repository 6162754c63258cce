from django.apps import AppConfig


class ClassifiedsConfig(AppConfig):
    name = "rongmei.classifieds"
    label = "classifieds"
    verbose_name = "民生信息"

    def ready(self):
        from . import signals  # noqa: F401 - erasure on account deletion
