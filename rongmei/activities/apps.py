from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "rongmei.activities"
    label = "activities"
    verbose_name = "活动"
    # Earning rules this app pays (points.selectors.payable_actions shows them as 今日任务).
    points_pays = ("quiz",)

    def ready(self):
        from rongmei.notices import kinds

        from . import signals  # noqa: F401 - erasure on account deletion, rules cache

        kinds.register("activities_prize", label="答题抽奖中签")
