from django.apps import AppConfig


class EngageConfig(AppConfig):
    name = "rongmei.engage"
    label = "engage"
    verbose_name = "互动"
    # The earning rules this app pays (points.selectors.payable_actions: 今日任务).
    points_pays = ("read_article", "watch_video", "share", "comment_approved")
