from django.core.management.base import BaseCommand

from rongmei.engage.counters import reads_flush


class Command(BaseCommand):
    help = ("Move pending read counts from Redis into PageStats, exactly once (a timer runs "
            "it every minute; safe to run concurrently or again).")

    def handle(self, *args, **options):
        result = reads_flush()
        self.stdout.write(f"阅读数写入完成：{result.batches} 批，{result.pages} 篇稿件，"
                          f"{result.reads} 次阅读")
