"""Requeue transcodes a dead worker left behind: assets stuck in "processing" longer than
``--stuck-hours`` (default 2) go back to pending and are enqueued again. Run it from a timer
(e.g. hourly); it is safe to run at any time."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from rongmei.media.models import MediaAsset, MediaStatus


class Command(BaseCommand):
    help = "把卡在“转码中”的音视频重新加入转码队列"

    def add_arguments(self, parser):
        parser.add_argument("--stuck-hours", type=float, default=2.0)

    def handle(self, *args, stuck_hours, **options):
        from rongmei.media.tasks import transcode_media

        cutoff = timezone.now() - timedelta(hours=stuck_hours)
        requeued = 0
        for pk in MediaAsset.objects.filter(status=MediaStatus.PROCESSING,
                                            processing_started_at__lt=cutoff
                                            ).values_list("pk", flat=True):
            with transaction.atomic():
                if MediaAsset.objects.filter(pk=pk, status=MediaStatus.PROCESSING,
                                             processing_started_at__lt=cutoff).update(
                        status=MediaStatus.PENDING, progress=0):
                    transaction.on_commit(lambda pk=pk: transcode_media.enqueue(pk))
                    requeued += 1
        self.stdout.write(f"requeued {requeued} stuck transcode(s)")
