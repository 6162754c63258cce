"""``rongmei live_tick`` (every minute, a systemd timer): end rooms whose stream dropped
longer ago than LIVE_END_GRACE_SECONDS (and make their replay), and write the live
counters (peak and cumulative viewers, likes) back into the rooms that are on air."""

from django.core.management.base import BaseCommand

from rongmei.live.services.rooms import end_overdue
from rongmei.live.states import write_back_live_rooms


class Command(BaseCommand):
    help = "End dropped live rooms after the grace period; record viewer and like figures."

    def handle(self, *args, **options):
        ended = end_overdue()
        recorded = write_back_live_rooms()
        self.stdout.write(f"结束直播 {ended} 场；记录数据 {recorded} 场")
