from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "rongmei.vouchers"
    label = "vouchers"
    verbose_name = "消费券"

    def ready(self):
        from . import signals  # noqa: F401  (cache invalidation)
