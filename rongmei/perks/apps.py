from django.apps import AppConfig


class PerksConfig(AppConfig):
    name = "rongmei.perks"
    label = "perks"
    verbose_name = "志愿者礼遇"
