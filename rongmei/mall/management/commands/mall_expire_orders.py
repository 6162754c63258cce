from django.core.management.base import BaseCommand

from rongmei.mall.services import orders_expire


class Command(BaseCommand):
    help = ("Cancel reserved mall orders past their pickup deadline, returning stock and the "
            "exact points lots (a timer runs it every 5 minutes; running it again changes "
            "nothing).")

    def handle(self, *args, **options):
        cancelled = orders_expire()
        self.stdout.write(f"商城订单超时处理完成：取消 {cancelled} 单，库存和积分已退回")
