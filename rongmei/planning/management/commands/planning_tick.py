"""Timer (every 5 minutes): overdue assignments remind their assignee and editor, once."""

from django.core.management.base import BaseCommand

from rongmei.planning.services import remind_overdue


class Command(BaseCommand):
    help = "提醒逾期派单的承接人和派单编辑（每条只提醒一次，可重复运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"提醒 {remind_overdue()} 条逾期派单")
