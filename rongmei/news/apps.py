from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "rongmei.news"
    label = "news"
    verbose_name = "新闻中心"
