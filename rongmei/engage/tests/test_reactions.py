"""Likes, favourites and shares: idempotent toggles, exact counts under concurrency, the
favourites list with keyset pagination, share counts and points."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from rongmei.accounts.models import User
from rongmei.core.errors import ServiceError
from rongmei.engage import services
from rongmei.engage.models import PageReaction, PageStats, ShareEvent
from rongmei.points.models import PointsEntry

from .conftest import make_story, needs_postgres

API = "/api/v1/engage/pages/{}/{}"


def count(page, field="likes") -> int:
    return PageStats.objects.filter(pk=page.pk).values_list(field, flat=True).first() or 0


def test_liking_twice_is_one_like_and_unliking_twice_is_none(client, story, people):
    client.force_login(people.resident)
    url = API.format(story.pk, "like")
    assert client.put(url).json() == {"on": True, "count": 1}
    assert client.put(url).json() == {"on": True, "count": 1}
    assert client.delete(url).json() == {"on": False, "count": 0}
    assert client.delete(url).json() == {"on": False, "count": 0}
    assert not PageReaction.objects.exists()


def test_likes_and_favourites_are_counted_apart(story, people):
    services.reaction_set(user=people.resident, page_id=story.pk, kind="like", on=True)
    services.reaction_set(user=people.other, page_id=story.pk, kind="like", on=True)
    services.reaction_set(user=people.other, page_id=story.pk, kind="favourite", on=True)
    assert (count(story), count(story, "favourites")) == (2, 1)


def test_signed_out_readers_are_asked_to_sign_in_in_chinese(client, story):
    response = client.put(API.format(story.pk, "like"))
    assert response.status_code == 401 and response.json()["message"] == "请先登录"


def test_an_unpublished_page_cannot_be_liked(client, story, people):
    story.unpublish()
    client.force_login(people.resident)
    response = client.put(API.format(story.pk, "like"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_state_tells_each_reader_what_they_did(client, story, people):
    services.reaction_set(user=people.resident, page_id=story.pk, kind="favourite", on=True)
    client.force_login(people.resident)
    state = client.get(API.format(story.pk, "state")).json()
    assert (state["signed_in"], state["liked"], state["favourited"]) == (True, False, True)
    assert state["counts"]["favourites"] == 1
    client.logout()
    state = client.get(API.format(story.pk, "state")).json()
    assert (state["signed_in"], state["favourited"]) == (False, False)


def test_my_favourites_page_through_with_a_cursor(client, people):
    stories = [make_story(f"收藏稿件{n}") for n in range(5)]
    for page in stories:
        services.reaction_set(user=people.resident, page_id=page.pk, kind="favourite", on=True)
    stories[2].unpublish()
    client.force_login(people.resident)
    first = client.get("/api/v1/engage/me/favourites?limit=2").json()
    assert [i["title"] for i in first["items"]] == ["收藏稿件4", "收藏稿件3"]
    second = client.get(f"/api/v1/engage/me/favourites?limit=2&cursor={first['next_cursor']}")
    assert [i["title"] for i in second.json()["items"]] == ["收藏稿件1", "收藏稿件0"]
    assert second.json()["next_cursor"] is None
    bad = client.get("/api/v1/engage/me/favourites?cursor=nonsense")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    assert "收藏稿件4" in client.get("/engage/favourites/").content.decode()


def test_a_share_is_counted_and_a_signed_in_sharer_earns_points(client, story, people):
    assert client.post(API.format(story.pk, "share"), {"channel": "wechat"},
                       content_type="application/json").json() == {"shares": 1}
    client.force_login(people.resident)
    assert client.post(API.format(story.pk, "share"), {"channel": "copy_link"},
                       content_type="application/json").json() == {"shares": 2}
    assert sorted(ShareEvent.objects.values_list("channel", flat=True)) == ["copy_link",
                                                                           "wechat"]
    assert PointsEntry.objects.filter(account__user=people.resident, action="share").count() == 1
    bad = client.post(API.format(story.pk, "share"), {"channel": "fax"},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json() == {
        "code": "invalid_channel", "message": "不支持的分享渠道", "field": "channel"}


def test_unknown_reaction_kind_is_refused(story, people):
    with pytest.raises(ServiceError) as caught:
        services.reaction_set(user=people.resident, page_id=story.pk, kind="dislike", on=True)
    assert caught.value.code == "invalid_kind"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_like_counts_stay_exact_under_concurrent_toggles():
    """60 residents like at once (each twice), 20 of them then unlike at once (twice)."""
    story = make_story()
    User.objects.bulk_create([User(phone=str(13900000000 + n), password="!") for n in range(60)])
    people = list(User.objects.filter(phone__startswith="1390000").order_by("phone"))
    errors: list[Exception] = []
    barrier = threading.Barrier(12)

    def run(chunk, on):
        try:
            barrier.wait()
            for person in chunk:
                for _ in range(2):
                    services.reaction_set(user=person, page_id=story.pk, kind="like", on=on)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def crowd(group, on):
        threads = [threading.Thread(target=run, args=(group[n::12], on)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    crowd(people, True)
    assert not errors, errors
    assert count(story) == 60 == PageReaction.objects.filter(page=story).count()
    crowd(people[:20] + people[:20], False)  # the same people twice, in different threads
    assert not errors, errors
    assert count(story) == 40 == PageReaction.objects.filter(page=story).count()
