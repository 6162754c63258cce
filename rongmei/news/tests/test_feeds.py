"""What residents and other systems read: story pages, feeds, RSS/Atom, ninjs, the app API."""

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from rongmei.news import selectors, services
from rongmei.news.models import Channel, FeedEntry

from .conftest import add_article, make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def stories(newsroom):
    folder = services.archive_for(newsroom.hetang)
    other = Channel.objects.create(name="民生", slug="minsheng")
    cover = make_image()
    pages = []
    for i in range(25):
        page = add_article(folder, title=f"第{i}条新闻：荷塘镇莲子丰收", body=f"正文{i}",
                           channel=newsroom.channel if i % 2 == 0 else other,
                           cover=cover if i == 24 else None, publish=True)
        pages.append(page)
    # Distinct publish times, newest last.
    base = timezone.now() - timedelta(days=1)
    for i, page in enumerate(pages):
        FeedEntry.objects.filter(page=page).update(published_at=base + timedelta(minutes=i))
    return pages


def test_keyset_pages_walk_the_whole_feed_without_gaps(stories):
    seen, cursor = [], None
    while True:
        page = selectors.feed(cursor=cursor, size=7)
        seen += [e.page_id for e in page.entries]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == [p.pk for p in reversed(stories)]


def test_channel_feed_and_bad_cursor(stories, newsroom, client):
    titles = [e.title for e in selectors.feed(channel=newsroom.channel).entries]
    assert len(titles) == 13 and all(int(t[1:t.index("条")]) % 2 == 0 for t in titles)
    response = client.get("/api/v1/news/feed?cursor=!!!")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_cursor"
    assert client.get("/api/v1/news/feed?channel=nope").status_code == 404


def test_app_api_feed_pages_by_cursor(stories, client):
    from rongmei.engage.models import PageStats
    PageStats.objects.create(page_id=stories[-1].pk, reads=321, likes=7, comments=2)
    first = client.get("/api/v1/news/feed").json()
    assert (first["items"][0]["reads"], first["items"][0]["likes"]) == (321, 7)
    assert first["items"][1]["reads"] == 0
    assert len(first["items"]) == 20 and first["next_cursor"]
    assert first["items"][0]["title"].startswith("第24条")
    assert first["items"][0]["cover"].startswith("http")
    rest = client.get(f"/api/v1/news/feed?cursor={first['next_cursor']}").json()
    assert len(rest["items"]) == 5 and rest["next_cursor"] is None


def test_rss_atom_and_ninjs(stories, client):
    rss = client.get("/feeds/rss.xml")
    assert rss.status_code == 200
    items = ElementTree.fromstring(rss.content).findall("./channel/item")
    assert len(items) == 25 and items[0].find("title").text.startswith("第24条")
    atom = client.get("/feeds/atom.xml?channel=yaowen")
    entries = ElementTree.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 13
    ninjs = json.loads(client.get("/feeds/ninjs.json").content)
    item = ninjs["associations"][0]
    assert item["headlines"][0]["value"].startswith("第24条")
    assert item["type"] == "text" and item["language"] == "zh-Hans"
    assert "正文24" in item["bodies"][0]["value"]
    assert item["renditions"][0]["href"].startswith("http")


def test_story_page_renders_and_is_cached_for_anonymous_readers(stories, client,
                                                               django_assert_num_queries):
    page = stories[-1]
    response = client.get(page.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "第24条新闻" in body and "正文24" in body
    assert 'loading="lazy"' in body or "相关新闻" in body
    with django_assert_num_queries(0):
        again = client.get(page.url)
    assert again.content == response.content


def test_section_and_index_pages_list_stories(stories, newsroom, client):
    response = client.get(newsroom.index.url + "?channel=yaowen")
    assert response.status_code == 200
    assert response.content.decode().count("rm-news__item") == 13
    section = client.get(newsroom.hetang.url)
    assert "第24条" in section.content.decode()
    assert client.get(newsroom.index.url + "?channel=missing").status_code == 404


def test_correction_note_shows_on_the_page(stories, client):
    page = stories[0]
    page.correction_note = "原文中“3000亩”应为“300亩”。"
    page.save_revision().publish()
    assert "应为“300亩”" in client.get(page.url).content.decode()
