"""Read paths whose cost does not grow with the page: every list page and list API of the
newsroom runs the same number of queries for 5 stories as for 50, covers and tags included.

Each URL is requested twice per size with a throwaway query parameter (so the anonymous
page cache misses), and the second request is counted: the first one may create image
renditions, which happens once per image in a story's life, not once per read.
"""

from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongmei.news import services
from rongmei.news.models import TopicItem, TopicPage

from .conftest import add_article, make_image

pytestmark = pytest.mark.django_db
_fresh = count()


def queries(client, url: str, **params) -> int:
    """Queries of a cache-missing GET of ``url`` once the renditions it needs exist."""
    client.get(url, {**params, "_": next(_fresh)})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {**params, "_": next(_fresh)})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def add_stories(newsroom, topic, n: int, start: int):
    folder = services.archive_for(newsroom.center)
    for i in range(start, start + n):
        page = add_article(folder, title=f"莲子丰收第{i}条", body=f"荷塘镇莲子丰收，第{i}条。",
                           channel=newsroom.channel, cover=make_image(f"封面{i}"),
                           place="荷塘镇", publish=False)
        page.tags.add(f"标签{i}", "莲子")
        page.save_revision().publish()
        TopicItem.objects.create(page=topic, story=page, group="现场" if i % 2 else "")


def test_newsroom_list_pages_and_apis_cost_the_same_for_5_and_50_stories(newsroom, client):
    topic = TopicPage(title="荷花节专题", slug="hehua")
    newsroom.index.add_child(instance=topic)
    topic.save_revision().publish()
    urls = [
        ("/api/v1/news/feed", {}), ("/api/v1/news/search", {"q": "莲子"}),
        (newsroom.index.url, {}), ("/search/", {"q": "莲子"}),
        ("/feeds/ninjs.json", {}), ("/feeds/rss.xml", {}), ("/feeds/atom.xml", {}),
        (topic.url, {}),
    ]
    add_stories(newsroom, topic, 5, 0)
    small = {url: queries(client, url, **params) for url, params in urls}
    add_stories(newsroom, topic, 45, 5)
    large = {url: queries(client, url, **params) for url, params in urls}
    assert large == small
