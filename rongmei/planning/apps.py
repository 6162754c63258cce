from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "rongmei.planning"
    label = "planning"
    verbose_name = "策划指挥"

    def ready(self):
        from rongmei.notices import kinds

        from . import signals  # noqa: F401 - erasure on account deletion

        kinds.register("planning_tip_outcome", label="爆料处理结果")
        kinds.register("planning_assignment", label="派单")
        kinds.register("planning_overdue", label="派单逾期提醒")
