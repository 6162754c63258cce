"""The page cache forgets only what changed: a comment approved on one story leaves the
home page, the lists and every other story cached; a publish refreshes the lists."""

import pytest
from django.test import Client
from django.urls import reverse

from rongmei.engage import services as engage

from .conftest import add_article

pytestmark = pytest.mark.django_db


def cache_state(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response["X-Page-Cache"]


def test_approving_a_comment_refreshes_that_story_only(newsroom, client, make_user,
                                                       django_capture_on_commit_callbacks):
    from rongmei.news import services

    folder = services.archive_for(newsroom.center)
    storm = add_article(folder, title="直播现场", channel=newsroom.channel, publish=True)
    quiet = add_article(folder, title="荷塘镇莲子丰收", channel=newsroom.channel, publish=True)
    other = add_article(folder, title="白水镇羊肚菌", publish=True)  # no channel
    urls = [storm.url, quiet.url, other.url, newsroom.index.url, "/feeds/rss.xml",
            f"/engage/pages/{storm.pk}/comments/", f"/engage/pages/{quiet.pk}/comments/"]
    for url in urls:
        cache_state(client, url)
    assert {url: cache_state(client, url) for url in urls} == dict.fromkeys(urls, "hit")

    comment = engage.comment_post(user=make_user(), page_id=storm.pk, body="主持人好")
    console = Client()
    console.force_login(make_user("editor"))
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post("/admin/engage_comments/",
                                   {"action": "approve", "comments": [comment.pk]})
    assert response.status_code in (200, 302)
    states = {url: cache_state(client, url) for url in urls}
    assert states.pop(storm.url) == "miss"
    assert states.pop(f"/engage/pages/{storm.pk}/comments/") == "miss"
    assert set(states.values()) == {"hit"}, states
    assert "主持人好" in client.get(f"/engage/pages/{storm.pk}/comments/").content.decode()

    # A new story in the channel: the lists and the channel's stories (相关) refresh; a
    # story outside the channel stays cached.
    add_article(folder, title="莲乡新闻联播", channel=newsroom.channel, publish=True)
    assert cache_state(client, newsroom.index.url) == "miss"
    assert cache_state(client, "/feeds/rss.xml") == "miss"
    assert cache_state(client, quiet.url) == "miss"
    assert cache_state(client, other.url) == "miss"  # 相关 of a story without a channel: lists
    assert cache_state(client, f"/engage/pages/{quiet.pk}/comments/") == "hit"


def administrator_console(make_user):
    from rongmei.core import roles

    console = Client()
    console.force_login(make_user(roles.ADMINISTRATOR))
    return console


def set_privacy(console, page, restriction_type, capture_on_commit):
    """The console's 隐私 dialog for ``page``, its changes committed."""
    with capture_on_commit(execute=True):
        response = console.post(f"/admin/pages/{page.pk}/privacy/",
                                {"restriction_type": restriction_type})
    assert response.status_code == 200


def test_restricting_or_moving_a_story_in_the_console_ends_its_cached_copy(
        newsroom, client, make_user, django_capture_on_commit_callbacks):
    from rongmei.news import services

    folder = services.archive_for(newsroom.center)
    private = add_article(folder, title="内部通报", channel=newsroom.channel, publish=True)
    moved = add_article(folder, title="白水镇通知", channel=newsroom.channel, publish=True)
    for story in (private, moved):
        cache_state(client, story.url)
        assert cache_state(client, story.url) == "hit"
    console = administrator_console(make_user)

    # 隐私 → 登录可见: visitors are sent to log in at once, not shown the cached story.
    set_privacy(console, private, "login", django_capture_on_commit_callbacks)
    response = client.get(private.url)
    assert response.status_code == 302 and "login" in response["Location"]

    # 移动 to another section: the old address no longer shows it.
    old_url = moved.url
    destination = services.archive_for(newsroom.hetang)
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(f"/admin/pages/{moved.pk}/move/{destination.pk}/confirm/")
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.url != old_url
    assert client.get(old_url).status_code in (301, 302, 404)
    assert "白水镇通知" in client.get(moved.url).content.decode()


def test_a_section_restricted_in_the_console_leaves_the_lists_feeds_and_search(
        newsroom, client, make_user, django_capture_on_commit_callbacks):
    from rongmei.news import services

    folder = services.archive_for(newsroom.hetang)
    story = add_article(folder, title="荷塘镇内部简报", channel=newsroom.channel,
                        publish=True)
    section_url = newsroom.hetang.url
    places = ["/news/", section_url, "/feeds/rss.xml", "/search/?q=内部简报",
              "/api/v1/news/search?q=内部简报"]
    for url in places:
        assert story.url in client.get(url).content.decode(), url
    console = administrator_console(make_user)
    set_privacy(console, newsroom.hetang, "login", django_capture_on_commit_callbacks)
    for url in (section_url, story.url):
        response = client.get(url)
        # to the residents' SMS login, back here afterwards
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{reverse('accounts:login')}?next="), url
    for url in [places[0]] + places[2:]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert story.url not in response.content.decode(), url

    # Public again: back in every list.
    set_privacy(console, newsroom.hetang, "none", django_capture_on_commit_callbacks)
    for url in places:
        assert story.url in client.get(url).content.decode(), url
