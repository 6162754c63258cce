from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "rongmei.news"
    label = "news"
    verbose_name = "新闻中心"
    # Blocks this module adds to the home and tab page layouts (rongmei.home.blocks).
    layout_blocks = {"story_feed": "rongmei.news.blocks.StoryFeedBlock"}

    def ready(self):
        from . import signals  # noqa: F401  (feed copy, delivery, unit section rights)
