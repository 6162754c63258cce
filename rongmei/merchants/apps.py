from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "rongmei.merchants"
    label = "merchants"
    verbose_name = "企业之家"
