"""Timer (every 5 minutes): overdue assignments remind their assignee and editor, and
vehicle or equipment bookings past their end and not released remind the editor, once."""

from django.core.management.base import BaseCommand

from rongmei.planning.dispatch import remind_overdue


class Command(BaseCommand):
    help = "提醒逾期派单的承接人和派单编辑、到期未归还的车辆器材（每条只提醒一次，可重复运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"提醒 {remind_overdue()} 条逾期派单")
