"""Public counts as the operator sets them in the console — exact, rounded to tens or
hundreds, refreshed every N minutes, hidden until the results — the same in the API, the
pages and the gallery's order by votes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.activities.models import Contest, Entry

from .conftest import API, api_post, approved_entries, make_contest, settle_votes

pytestmark = pytest.mark.django_db


def voting(ax, counts):
    """A contest in its voting stage with one entry per count in ``counts``."""
    from rongmei.tests_support import make_user

    contest = make_contest(ax.operator)
    entries = approved_entries(ax.operator, contest, [make_user() for _ in counts])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    for entry, n in zip(entries, counts, strict=True):
        Entry.objects.filter(pk=entry.pk).update(votes=n)
    return contest, entries


def set_counts(client, ax, contest, display, round_to=10, minutes=10):
    client.force_login(ax.operator)
    return client.post(f"/admin/activities/contests/{contest.pk}/", {
        "action": "counts", "count_display": display, "count_round_to": round_to,
        "count_refresh_minutes": minutes})


def gallery(client, contest, sort="votes"):
    return client.get(f"{API}/contests/{contest.pk}/entries?sort={sort}").json()


def test_rounded_counts_are_rounded_everywhere_and_sort_as_rounded(client, ax):
    contest, (_, b, _) = voting(ax, [149, 180, 120])
    set_counts(client, ax, contest, "rounded", round_to=100)
    shown = gallery(client, contest)
    # 149, 180 and 120 all show as 100: the order is by number, not the hidden exact count.
    assert [(e["number"], e["votes"]) for e in shown] == [(1, 100), (2, 100), (3, 100)]
    assert shown[0]["votes_note"] == "票数取整到百位显示"
    page = client.get(f"/activities/entries/{b.pk}/").content.decode()
    assert "<strong>100</strong>" in page and "180" not in page
    assert "100票" in client.get(f"/activities/contests/{contest.pk}/").content.decode()
    # The voter's answer is rounded too.
    voter = ax.people[0]
    answer = api_post(client, voter, f"/entries/{b.pk}/vote").json()
    assert answer["votes"] == 100 and answer["votes_note"] == "票数取整到百位显示"
    # Once the results are public, every count is exact.
    Contest.objects.filter(pk=contest.pk).update(
        voting_closes=timezone.now() - timedelta(seconds=2),
        results_at=timezone.now() - timedelta(seconds=1))
    settle_votes()  # with Redis the vote is stored by the drain
    assert [e["votes"] for e in gallery(client, contest)] == [181, 149, 120]


def test_hidden_counts_show_nothing_and_do_not_order_the_gallery(client, ax):
    contest, (_, b) = voting(ax, [3, 9])
    set_counts(client, ax, contest, "hidden")
    shown = gallery(client, contest)
    assert [(e["number"], e["votes"]) for e in shown] == [(1, None), (2, None)]
    assert shown[0]["votes_note"] == "票数在结果公布后显示"
    page = client.get(f"/activities/entries/{b.pk}/").content.decode()
    assert "票数在结果公布后显示" in page and "当前票数" not in page
    assert "9票" not in client.get(f"/activities/contests/{contest.pk}/?sort=votes")\
        .content.decode()
    answer = api_post(client, ax.people[0], f"/entries/{b.pk}/vote").json()
    assert answer["votes"] is None


def test_delayed_counts_change_only_when_the_interval_has_passed(client, ax):
    contest, (_, b) = voting(ax, [5, 2])
    set_counts(client, ax, contest, "delayed", minutes=10)
    assert [(e["number"], e["votes"]) for e in gallery(client, contest)] == [(1, 5), (2, 2)]
    # Four votes for the second: the public figures and their order stay as published.
    for voter in ax.people:
        api_post(client, voter, f"/entries/{b.pk}/vote")
    Entry.objects.filter(pk=b.pk).update(votes=6)
    shown = gallery(client, contest)
    assert [(e["number"], e["votes"]) for e in shown] == [(1, 5), (2, 2)]
    assert shown[0]["votes_note"] == "票数每10分钟更新"
    assert client.get(f"{API}/entries/{b.pk}").json()["votes"] == 2
    # Ten minutes on, the next reader publishes the new figures.
    Contest.objects.filter(pk=contest.pk).update(
        counts_refreshed_at=timezone.now() - timedelta(minutes=10))
    assert [(e["number"], e["votes"]) for e in gallery(client, contest)] == [(2, 6), (1, 5)]


def test_count_settings_are_the_operators_and_checked(client, ax):
    contest, _ = voting(ax, [1])
    client.force_login(ax.people[0])
    client.post(f"/admin/activities/contests/{contest.pk}/", {
        "action": "counts", "count_display": "hidden", "count_round_to": 10,
        "count_refresh_minutes": 10})
    assert Contest.objects.get(pk=contest.pk).count_display == "exact"
    refused = set_counts(client, ax, contest, "delayed", minutes=0)
    assert refused.status_code == 302
    assert Contest.objects.get(pk=contest.pk).count_display == "exact"
    messages = [str(m) for m in refused.wsgi_request._messages]
    assert any("1440" in m or "大于或等于" in m for m in messages), messages
