from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "rongmei.volunteers"
    label = "volunteers"
    verbose_name = "志愿者之家"
    # Earning rules this app pays (points.selectors.payable_actions shows them as 今日任务).
    points_pays = ("volunteer_hour", "sanzhang_service")

    def ready(self):
        from . import signals  # noqa: F401 - erasure on account deletion
