from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "rongmei.points"
    label = "points"
    verbose_name = "积分"
    # Earning rules an app pays for (selectors.payable_actions); only these are 今日任务.
    points_pays = ("checkin",)
