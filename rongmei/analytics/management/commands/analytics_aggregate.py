"""``rongmei analytics_aggregate``: move buffered events into the database and rebuild the
daily tables they touch; drop raw events past their retention. Idempotent (timer: every
five minutes)."""

from django.core.management.base import BaseCommand

from rongmei.analytics.aggregation import aggregate


class Command(BaseCommand):
    help = "汇总埋点事件：缓冲区 → 原始事件 → 日表；清除过期原始事件"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="also take the file buffer's current minute (no Redis)")

    def handle(self, *args, **options):
        result = aggregate(everything=options["all"])
        self.stdout.write(result.summary())
