from django.conf import settings
from django.core.management.base import BaseCommand

from rongmei.wenzheng.services import purge_expired


class Command(BaseCommand):
    help = ("Erase personal data (contact details, precise location, description, photos, the "
            "link to the account) of 问政 cases closed more than WENZHENG_RETENTION_DAYS ago; "
            "the anonymised rows stay for the statistics. Run daily.")

    def handle(self, *args, **options):
        purged = purge_expired()
        self.stdout.write(f"问政个人信息清除完成：{purged} 件（保存期限 "
                          f"{settings.WENZHENG_RETENTION_DAYS} 天）")
