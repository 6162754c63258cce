from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "rongmei.analytics"
    label = "analytics"
    verbose_name = "数据"
