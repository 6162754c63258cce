from django.core.management.base import BaseCommand

from rongmei.core.redis import get_redis
from rongmei.vouchers.services import reconcile_gates


class Command(BaseCommand):
    help = ("Rebuild the Redis gates of all open voucher rounds from the database (after a "
            "Redis restart or flush; every 10 minutes during a big sale).")

    def handle(self, *args, **options):
        if get_redis() is None:
            self.stdout.write("未配置 Redis（REDIS_URL），抢券由数据库直接把关，无需重建")
            return
        rebuilt = reconcile_gates()
        self.stdout.write(f"已根据数据库重建 {rebuilt} 个进行中场次的抢券闸门"
                          "（剩余数量和每人已领张数）")
