"""``rongmei votes_drain``: store the contest votes admitted in Redis and set the touched
entries' counts from their stored votes (rongmei.activities.services.votes). Idempotent;
safe to run twice at once. Without Redis there is nothing to do (votes are stored as they are
cast). Timer: every 10 seconds (deploy/systemd/rongmei-votes-drain.timer)."""

from django.core.management.base import BaseCommand

from rongmei.activities.services.votes import votes_drain


class Command(BaseCommand):
    help = "评选投票入库：Redis 中已受理的投票 → 数据库，并按已存投票重算作品票数"

    def handle(self, *args, **options):
        self.stdout.write(votes_drain().summary())
