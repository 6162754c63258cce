"""Rebuild the search text of every live story (after an upgrade that changes the index)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "重建全部已发布稿件的搜索索引"

    def handle(self, *args, **options):
        from rongmei.news.search import reindex

        self.stdout.write(f"已重建 {reindex()} 篇稿件的搜索索引")
