"""The pull outlets as their clients' tools read them: ninjs items valid against IPTC's own
ninjs 2.0 schema, one language tag in every format, conditional GET (304) for feed readers
that poll, and feed discovery links in the pages' <head>."""

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from .test_feeds import stories  # noqa: F401 - the 25 published stories

pytestmark = pytest.mark.django_db

NINJS_SCHEMA = json.loads((Path(__file__).parent / "data" / "ninjs-schema_2.0.json").read_text())
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_ninjs_feed_and_every_item_in_it_are_valid_ninjs_2(stories, client):  # noqa: F811
    jsonschema.Draft4Validator.check_schema(NINJS_SCHEMA)
    validator = jsonschema.Draft4Validator(NINJS_SCHEMA)
    document = json.loads(client.get("/feeds/ninjs.json").content)
    assert list(validator.iter_errors(document)) == []
    items = document["associations"]
    assert len(items) == 25
    for item in items:
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(item)]
        assert errors == [], item["uri"]
        assert item["standard"] == {"name": "ninjs", "version": "2.0",
                                    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"}
        assert item["representationtype"] == "full" and item["uri"].startswith("http")
    assert document["type"] == "composite" and document["standard"]["version"] == "2.0"


def test_the_schema_check_would_catch_a_ninjs_1_value(stories, client):  # noqa: F811
    item = json.loads(client.get("/feeds/ninjs.json").content)["associations"][0]
    item["representationtype"] = "complete"  # the 1.x value the feed used to send
    assert not jsonschema.Draft4Validator(NINJS_SCHEMA).is_valid(item)


def test_one_language_tag_in_html_rss_atom_and_ninjs(stories, newsroom, client):  # noqa: F811
    rss = ElementTree.fromstring(client.get("/feeds/rss.xml").content)
    assert rss.find("./channel/language").text == "zh-Hans"
    atom = ElementTree.fromstring(client.get("/feeds/atom.xml").content)
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
    ninjs = json.loads(client.get("/feeds/ninjs.json").content)
    assert {ninjs["language"]} | {i["language"] for i in ninjs["associations"]} == {"zh-Hans"}
    assert '<html lang="zh-Hans">' in client.get(newsroom.index.url).content.decode()
    for url in ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/ninjs.json"):
        assert client.get(url)["Content-Language"] == "zh-Hans"


def test_every_response_says_the_same_language_tag_as_the_feeds(stories, newsroom, client):  # noqa: F811
    """Content-Language spelled one way on pages and the API too (Django's lower-case
    ``zh-hans`` on everything but the feeds), first answer and page-cache hit alike."""
    for url in ("/", newsroom.index.url, newsroom.hetang.url, "/api/v1/news/channels",
                "/open311/discovery.json", "/feeds/rss.xml"):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Language"] == "zh-Hans", url


@pytest.mark.parametrize("url", ["/feeds/rss.xml", "/feeds/atom.xml", "/feeds/ninjs.json"])
def test_feed_readers_get_304_from_the_page_cache_and_from_the_view(
        stories, newsroom, client, url):  # noqa: F811
    first = client.get(url)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    etag, modified = first["ETag"], first["Last-Modified"]
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit" and hit.content == first.content
    assert (hit["ETag"], hit["Last-Modified"], hit["Content-Language"]) == (
        etag, modified, "zh-Hans")
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    # A signed-in reader is never served from the page cache: the view answers itself.
    client.force_login(newsroom.people.resident)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 304 and "X-Page-Cache" not in fresh
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url).status_code == 200


def test_a_new_story_changes_the_validators(stories, newsroom, client):  # noqa: F811
    from rongmei.news import services

    from .conftest import add_article

    etag = client.get("/feeds/rss.xml")["ETag"]
    add_article(services.archive_for(newsroom.hetang), title="荷塘镇新闻：新到的一条",
                publish=True)
    again = client.get("/feeds/rss.xml", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and "新到的一条" in again.content.decode()


def test_section_feeds_list_only_that_sections_stories(stories, newsroom, client):  # noqa: F811
    from rongmei.news import services

    from .conftest import add_article

    add_article(services.archive_for(newsroom.baishui), title="白水镇新闻", publish=True)
    rss = client.get(f"/feeds/rss.xml?section={newsroom.baishui.pk}")
    titles = [i.find("title").text
              for i in ElementTree.fromstring(rss.content).findall("./channel/item")]
    assert titles == ["白水镇新闻"]
    atom = ElementTree.fromstring(client.get(f"/feeds/atom.xml?section={newsroom.hetang.pk}").content)
    assert len(atom.findall(f"{ATOM}entry")) == 25
    assert client.get("/feeds/rss.xml?section=abc").status_code == 404
    assert client.get("/feeds/ninjs.json?section=999999").status_code == 404


def _alternates(html: str) -> list[str]:
    head = html.split("</head>")[0]
    return [line for line in head.split("<link") if 'rel="alternate"' in line]


def test_home_index_channel_and_section_pages_link_their_feeds(stories, newsroom, client):  # noqa: F811
    home = _alternates(client.get("/").content.decode())
    assert any('type="application/rss+xml"' in a and 'href="/feeds/rss.xml"' in a for a in home)
    assert any('type="application/atom+xml"' in a and 'href="/feeds/atom.xml"' in a
               for a in home)
    channel = _alternates(client.get(newsroom.index.url + "?channel=yaowen").content.decode())
    assert any('href="/feeds/rss.xml?channel=yaowen"' in a for a in channel)
    section = _alternates(client.get(newsroom.hetang.url).content.decode())
    assert any(f'href="/feeds/atom.xml?section={newsroom.hetang.pk}"' in a for a in section)


@pytest.mark.parametrize("path", ["/feeds/rss.xml", "/feeds/atom.xml"])
def test_a_control_character_in_a_story_never_takes_a_feed_down(newsroom, client, path):
    """Adversarial review: one live title holding \\x0c made the feed writer raise (500 for
    every reader). Whatever a stored text holds, the feed is well-formed XML."""
    from rongmei.news import services

    from .conftest import add_article

    add_article(services.archive_for(newsroom.hetang), title="荷塘\x0c镇\x01新闻", publish=True)
    response = client.get(path)
    assert response.status_code == 200
    ElementTree.fromstring(response.content)
    assert "荷塘\ufffd镇\ufffd新闻" in response.content.decode()


def test_the_story_editor_drops_control_characters(newsroom, client):
    from rongmei.news import services
    from rongmei.news.models import ArticlePage

    from .conftest import add_article
    from .test_editor import edit_data

    people = newsroom.people
    page = add_article(services.archive_for(newsroom.hetang), user=people.hetang_admin)
    client.force_login(people.hetang_admin)
    response = client.post(f"/admin/pages/{page.pk}/edit/",
                           edit_data(page, "正文", title="荷塘\x0c镇\u202e新闻"))
    assert response.status_code == 302
    assert ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object().title == "荷塘镇新闻"
