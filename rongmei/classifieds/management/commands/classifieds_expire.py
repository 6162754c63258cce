"""Timer (every 10 minutes): published posts past their date become 已到期."""

from django.core.management.base import BaseCommand

from rongmei.classifieds.services import expire_posts


class Command(BaseCommand):
    help = "将到期的民生信息标记为已到期（可重复运行）"

    def handle(self, *args, **options):
        self.stdout.write(f"到期 {expire_posts()} 条")
