from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "rongmei.home"
    label = "home"
    verbose_name = "首页与底部栏目"

    def ready(self):
        from . import signals  # noqa: F401  (page cache invalidation)
