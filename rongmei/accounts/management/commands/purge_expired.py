from django.core.management.base import BaseCommand

from rongmei.accounts.services import purge_expired


class Command(BaseCommand):
    help = "Delete expired login codes, app tokens and old SMS records (run daily by a timer)."

    def handle(self, *args, **options):
        counts = purge_expired()
        self.stdout.write(f"已清理：验证码 {counts['codes']} 条，令牌 {counts['tokens']} 个，"
                          f"短信记录 {counts['sms']} 条")
