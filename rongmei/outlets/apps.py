from django.apps import AppConfig


class OutletsConfig(AppConfig):
    name = "rongmei.outlets"
    label = "outlets"
    verbose_name = "多端分发"
