from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "rongmei.news"
    label = "news"
    verbose_name = "新闻中心"

    def ready(self):
        from . import signals  # noqa: F401  (feed copy, delivery, unit section rights)
