from django.apps import AppConfig


class MallConfig(AppConfig):
    name = "rongmei.mall"
    label = "mall"
    verbose_name = "融媒商城"

    def ready(self):
        from . import signals  # noqa: F401  (erasure on account deletion)
