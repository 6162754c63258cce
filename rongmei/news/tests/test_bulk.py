"""The bulk loader the feed-scale benchmark uses writes a consistent tree and feed."""

import pytest

from rongmei.news import selectors
from rongmei.news.bulk import bulk_stories
from rongmei.news.models import ArticlePage, Channel, FeedEntry

pytestmark = pytest.mark.django_db


def test_bulk_stories_are_live_pages_in_the_feed(newsroom, client):
    channel = Channel.objects.create(name="批量", slug="bulk")
    assert bulk_stories(channel=channel, count=45, prefix="t") == 45
    assert FeedEntry.objects.filter(channel=channel).count() == 45
    page = selectors.feed(channel=channel, size=10)
    assert page.entries[0].title == "基准稿件 t" and page.next_cursor
    story = ArticlePage.objects.get(slug="t-44")
    assert story.live and story.get_parent().specific_class.__name__ == "ArchivePage"
    response = client.get(story.url)
    assert response.status_code == 200
    # The tree stays valid for the next page added through the normal API.
    from rongmei.news import services

    from .conftest import add_article
    add_article(services.archive_for(newsroom.center), publish=True)
    assert ArticlePage.objects.count() == 46
