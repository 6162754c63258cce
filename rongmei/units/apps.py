from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "rongmei.units"
    label = "units"
    verbose_name = "单位"
