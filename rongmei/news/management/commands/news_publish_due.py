"""Publish stories whose scheduled minute has come and take down those whose time is up.

Run every minute (deploy/rongmei-news-publish.timer), so nothing goes out more than a minute
late. Unlike Wagtail's ``publish_scheduled`` it survives a story the sensitive-word gate
blocks: that schedule is cancelled, the block is recorded for the editors, the rest go on.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from rongmei.news.gate import ContentBlocked, MediaNotReady


class Command(BaseCommand):
    help = "发布到点的定时稿件，下线到期稿件（每分钟运行）"

    def handle(self, *args, **options):
        now = timezone.now()
        expired = 0
        for page in list(Page.objects.filter(live=True, expire_at__lt=now)):
            page.specific.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
            expired += 1
        published = blocked = waiting = 0
        due = Revision.objects.filter(approved_go_live_at__lt=now).order_by("approved_go_live_at")
        for revision in list(due):
            try:
                with transaction.atomic():
                    revision.publish(log_action="wagtail.publish.scheduled")
                published += 1
            except MediaNotReady:
                waiting += 1  # stays scheduled: it goes out the minute its media is ready
            except ContentBlocked as blocked_error:
                Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
                self.stderr.write(f"定时发布被拦截：{revision.object_str}：{blocked_error}")
                blocked += 1
        self.stdout.write(f"定时发布 {published} 篇，拦截 {blocked} 篇，等待转码 {waiting} 篇，"
                          f"到期下线 {expired} 篇")
