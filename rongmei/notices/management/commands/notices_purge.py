from django.core.management.base import BaseCommand

from rongmei.notices.services import purge_old


class Command(BaseCommand):
    help = "Delete read messages and closed to-dos older than --days (default 180). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=180)

    def handle(self, *args, days, **options):
        self.stdout.write(f"已清理过期消息 {purge_old(days=days)} 条")
