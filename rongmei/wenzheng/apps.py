from django.apps import AppConfig


class WenzhengConfig(AppConfig):
    name = "rongmei.wenzheng"
    label = "wenzheng"
    verbose_name = "问政"
