from django.core.management.base import BaseCommand

from rongmei.outlets.delivery import deliver_due


class Command(BaseCommand):
    help = ("Send due outlet deliveries (new, retries after backoff, WeChat publish polls) and "
            "requeue ones a dead worker left in progress. A timer runs it every minute; "
            "several may run at once without sending anything twice.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200,
                            help="at most this many deliveries per run (default 200)")

    def handle(self, *args, limit, **options):
        counts = deliver_due(limit=limit)
        self.stdout.write(
            f"分发队列处理完成：发送 {counts['sent']} 条（成功 {counts.get('success', 0)}，"
            f"等待重试 {counts.get('retrying', 0)}，失败 {counts.get('failed', 0)}），"
            f"重新排队 {counts['requeued']} 条")
