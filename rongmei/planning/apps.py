from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "rongmei.planning"
    label = "planning"
    verbose_name = "策划指挥"
    # The earning rule this app pays (points.selectors.payable_actions): 爆料采用.
    points_pays = ("tip_adopted",)

    def ready(self):
        from rongmei.notices import kinds

        from . import signals  # noqa: F401 - erasure on account deletion, 爆料采用 points

        kinds.register("planning_tip_outcome", label="爆料处理结果")
        kinds.register("planning_assignment", label="派单")
        kinds.register("planning_overdue", label="派单逾期提醒")
