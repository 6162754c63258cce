from django.apps import AppConfig


class OutletsConfig(AppConfig):
    name = "rongmei.outlets"
    label = "outlets"
    verbose_name = "多端分发"

    def ready(self):
        from .delivery import delivery_succeeded
        from .services import follow_up_takedown

        def on_success(sender, delivery, **kwargs):
            follow_up_takedown(delivery)

        delivery_succeeded.connect(on_success, weak=False, dispatch_uid="outlets-follow-up")
