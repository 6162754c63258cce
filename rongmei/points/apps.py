from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "rongmei.points"
    label = "points"
    verbose_name = "积分"
