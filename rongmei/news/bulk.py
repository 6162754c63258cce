"""Bulk-load many published stories at once (benchmarks, migrations from an old system).

Writes the page tree rows, the story rows and the feed copy directly, in batches, with
tree paths computed here: loading 100,000 stories through the editor's publish path would
take hours. The stories are plain article rows with an empty body.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page

from . import services
from .models import ArticlePage, FeedEntry, StoryPage

BATCH = 2000


def bench_covers(count: int = 8) -> list[int]:
    """``count`` small cover images (real JPEG files in the media storage), made once."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    ids = list(Image.objects.filter(title__startswith="基准封面").order_by("pk")
               .values_list("pk", flat=True)[:count])
    for i in range(len(ids), count):
        buffer = io.BytesIO()
        PILImage.new("RGB", (800, 500), (40 + 25 * i, 120, 200 - 20 * i)).save(buffer, "JPEG")
        ids.append(Image.objects.create(title=f"基准封面{i}",
                                        file=ImageFile(buffer, name=f"bench-cover-{i}.jpg")).pk)
    return ids


def bulk_stories(*, channel, count: int, prefix: str, section=None, covers: bool = False) -> int:
    """``count`` live article stories in ``channel``, one minute apart, newest now; with
    ``covers``, each has one of a few cover images, as real stories do."""
    section = section or services.ensure_section(None)
    cover_ids = bench_covers() if covers else [None]
    folder = services.archive_for(section)
    content_type = ContentType.objects.get_for_model(ArticlePage)
    now = timezone.now()
    start = folder.numchild
    story_table = StoryPage._meta.db_table
    article_table = ArticlePage._meta.db_table
    quote = connection.ops.quote_name
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        with transaction.atomic():
            pages = []
            for i in range(offset, offset + size):
                published = now - timedelta(minutes=count - i)
                slug = f"{prefix}-{i}"
                pages.append(Page(
                    title=f"基准稿件 {prefix} 第{i}篇", draft_title=f"基准稿件 {prefix} 第{i}篇",
                    slug=slug, path=Page._get_path(folder.path, folder.depth + 1, start + i + 1),
                    depth=folder.depth + 1, numchild=0, url_path=f"{folder.url_path}{slug}/",
                    content_type=content_type, locale_id=folder.locale_id, live=True,
                    has_unpublished_changes=False, first_published_at=published,
                    last_published_at=published, translation_key=uuid.uuid4()))
            Page.objects.bulk_create(pages)
            ids = list(Page.objects.filter(path__in=[p.path for p in pages])
                       .order_by("path").values_list("pk", "path", "first_published_at"))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {quote(story_table)} (page_ptr_id, kind, channel_id, summary, "
                    "author, reporter, responsible_editor, origin, source, source_url, place, "
                    "is_breaking, allow_comments, correction_note, cover_id) VALUES "
                    "(%s, 'article', %s, '', '', '', '', 'original', '', '', '', %s, %s, '', %s)",
                    [(pk, channel.pk, False, True, cover_ids[n % len(cover_ids)])
                     for n, (pk, _, _) in enumerate(ids, start=offset)])
                cursor.executemany(
                    f"INSERT INTO {quote(article_table)} (storypage_ptr_id, body) VALUES (%s, %s)",
                    [(pk, "[]") for pk, _, _ in ids])
            url_base = folder.url or f"{folder.url_path}"
            FeedEntry.objects.bulk_create([
                FeedEntry(page_id=pk, kind="article", channel=channel, section=section,
                          title=f"基准稿件 {prefix}", url=f"{url_base}{prefix}-{n}/",
                          published_at=published, updated_at=published,
                          cover_id=cover_ids[n % len(cover_ids)], search_text=" 基准 稿件 ",
                          search_words="基准 稿件\t\t")
                for n, (pk, _, published) in enumerate(ids, start=offset)])
    Page.objects.filter(pk=folder.pk).update(numchild=start + count)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather
        cursor.execute(f"ANALYZE {quote(FeedEntry._meta.db_table)}")
    return count
