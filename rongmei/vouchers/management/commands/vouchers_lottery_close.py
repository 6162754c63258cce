from django.core.management.base import BaseCommand

from rongmei.vouchers.services import lotteries_close_due


class Command(BaseCommand):
    help = ("Seal the entry list of every 报名摇号 whose sign-up is over: closed or disabled "
            "accounts are left out and the list's SHA-256 is published (a timer runs it every "
            "minute; running it again changes nothing).")

    def handle(self, *args, **options):
        closed = lotteries_close_due()
        self.stdout.write(f"摇号名单封存完成：本次封存 {closed} 个活动")
