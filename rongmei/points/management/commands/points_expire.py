from django.core.management.base import BaseCommand

from rongmei.points.services import points_expire


class Command(BaseCommand):
    help = "Expire points lots past their date (run daily, after midnight Asia/Shanghai)."

    def handle(self, *args, **options):
        self.stdout.write(f"已过期积分：{points_expire()} 分")
