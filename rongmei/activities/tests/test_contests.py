"""A contest from registration to results through the API and the console; the vote rule,
the window, forged ids, anomaly flags and logged invalidation."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from rongmei.activities.models import Contest, Entry, Invalidation, Vote

from .conftest import API, api_post, approved_entries, make_contest, settle_votes

pytestmark = pytest.mark.django_db


def photo() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(data, "JPEG")
    data.seek(0)
    data.name = "entry.jpg"
    return data


def test_registration_entry_review_vote_and_results(client, ax):
    operator, (author, voter, _) = ax.operator, ax.people
    client.force_login(operator)
    now = timezone.now()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post("/admin/activities/contests/", {
        "title": "红色故事我来讲", "registration_opens": (now - timedelta(hours=1)).strftime(fmt),
        "submission_closes": (now + timedelta(days=1)).strftime(fmt),
        "voting_opens": (now + timedelta(days=2)).strftime(fmt),
        "voting_closes": (now + timedelta(days=3)).strftime(fmt),
        "results_at": (now + timedelta(days=4)).strftime(fmt), "form_fields": ["name", "phone"],
        "allow_photo": "on", "allow_text": "on", "votes_per_day": 2, "vote_scope": "contest",
        "judge_weight": 50})
    assert response.status_code == 302, response.context["form"].errors
    contest = Contest.objects.get()

    # A resident registers (the fields the operator picked are required) and submits a photo.
    refused = api_post(client, author, f"/contests/{contest.pk}/register",
                       {"answers": {"name": "李华"}})
    assert refused.status_code == 400 and refused.json()["field"] == "phone"
    assert "手机号" in refused.json()["message"]
    assert api_post(client, author, f"/contests/{contest.pk}/register", {
        "answers": {"name": "李华", "phone": "13812345678"}}).status_code == 200
    submitted = client.post(f"{API}/contests/{contest.pk}/entries",
                            {"title": "红军桥", "text": "爷爷讲的故事", "photo": photo()})
    assert submitted.status_code == 200, submitted.json()
    entry_id = submitted.json()["id"]
    assert submitted.json()["status"] == "pending"
    # Not public before review.
    assert client.get(f"{API}/entries/{entry_id}").status_code == 404
    assert client.get(f"{API}/contests/{contest.pk}/entries").json() == []

    # A resident cannot approve; the operator does, in the console, and it gets number 1.
    client.force_login(voter)
    client.post(f"/admin/activities/contests/{contest.pk}/",
                {"action": "approve", "entry": entry_id})
    assert Entry.objects.get(pk=entry_id).status == "pending"
    client.force_login(operator)
    client.post(f"/admin/activities/contests/{contest.pk}/",
                {"action": "approve", "entry": entry_id})
    entry = Entry.objects.get(pk=entry_id)
    assert (entry.status, entry.number) == ("approved", 1)
    gallery = client.get(f"{API}/contests/{contest.pk}/entries?q=红军").json()
    assert [e["number"] for e in gallery] == [1] and gallery[0]["photo_url"]
    page = client.get(f"/activities/entries/{entry_id}/")
    assert page.status_code == 200 and "1号 红军桥" in page.content.decode()

    # Voting opens; another resident votes twice (the rule's 2 per day), the third is refused.
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=now - timedelta(hours=1), voting_opens=now - timedelta(minutes=1))
    for _ in range(2):
        assert api_post(client, voter, f"/entries/{entry_id}/vote").status_code == 200
    over = api_post(client, voter, f"/entries/{entry_id}/vote")
    assert over.status_code == 409 and over.json()["code"] == "over_limit"
    assert "每人每天2票" in over.json()["message"]
    settle_votes()
    assert Entry.objects.get(pk=entry_id).votes == Vote.objects.count() == 2

    # Results are not public before their time; afterwards, votes weighted with judges.
    assert client.get(f"{API}/contests/{contest.pk}/results").status_code == 409
    # The operator names a judge and puts the entry in the final; the judge scores it.
    from rongmei.tests_support import make_user

    judge = make_user(phone="13900001111")
    client.force_login(operator)
    client.post(f"/admin/activities/contests/{contest.pk}/",
                {"action": "judge_add", "phone": "13900001111"})
    client.post(f"/admin/activities/contests/{contest.pk}/",
                {"action": "finalist", "entry": entry_id})
    client.force_login(judge)
    client.post(f"/admin/activities/judging/{contest.pk}/", {"entry": entry_id, "score": "80"})
    Contest.objects.filter(pk=contest.pk).update(
        voting_closes=now - timedelta(seconds=2), results_at=now - timedelta(seconds=1))
    results = client.get(f"{API}/contests/{contest.pk}/results").json()
    assert results[0]["rank"] == 1 and results[0]["votes"] == 2
    assert float(results[0]["total"]) == 90.0  # 100 × 50% + 80 × 50%
    assert "综合" in client.get(f"/activities/contests/{contest.pk}/results/").content.decode()


def test_bad_votes_are_refused_in_chinese_and_change_nothing(client, ax):
    contest = make_contest(ax.operator)
    entry, = approved_entries(ax.operator, contest, ax.people[:1])
    pending = Entry.objects.create(contest=contest, author=ax.people[1], author_name="王",
                                   title="待审作品")
    voter = ax.people[2]
    early = api_post(client, voter, f"/entries/{entry.pk}/vote")
    assert early.status_code == 409 and early.json()["code"] == "voting_not_open"
    assert "投票将于" in early.json()["message"]
    for forged in (pending.pk, 987654321):
        answer = api_post(client, voter, f"/entries/{forged}/vote")
        assert answer.status_code == 404 and "作品不存在" in answer.json()["message"]
    Contest.objects.filter(pk=contest.pk).update(
        voting_opens=timezone.now() - timedelta(days=2),
        voting_closes=timezone.now() - timedelta(seconds=1))
    settle_votes()  # the rules a worker cached expire (services.votes.RULES_SECONDS)
    late = api_post(client, voter, f"/entries/{entry.pk}/vote")
    assert late.status_code == 409 and late.json()["code"] == "voting_closed"
    assert Vote.objects.count() == 0 and Entry.objects.get(pk=entry.pk).votes == 0
    # Submission after the window, and a second registration, are refused too.
    again = api_post(client, ax.people[0], f"/contests/{contest.pk}/register",
                     {"answers": {"name": "甲", "phone": "13800000000"}})
    assert again.status_code == 409


def test_per_entry_rule_and_anomalies_are_flagged_then_invalidated_in_public(client, ax):
    contest = make_contest(ax.operator, stage="submission", vote_scope="entry")
    first, second = approved_entries(ax.operator, contest, ax.people[:2])
    Contest.objects.filter(pk=contest.pk).update(
        submission_closes=timezone.now() - timedelta(hours=2),
        voting_opens=timezone.now() - timedelta(hours=1))
    voter = ax.people[2]
    assert api_post(client, voter, f"/entries/{first.pk}/vote").status_code == 200
    assert api_post(client, voter, f"/entries/{second.pk}/vote").status_code == 200  # per entry
    assert api_post(client, voter, f"/entries/{first.pk}/vote").status_code == 409
    # Brand-new accounts on one shared device: flagged, still counted, never deleted.
    from rongmei.tests_support import make_user

    for _ in range(3):
        client.force_login(make_user())
        answer = client.post(f"{API}/entries/{first.pk}/vote", HTTP_X_DEVICE_ID="phone-1",
                             content_type="application/json")
        assert answer.status_code == 200
    settle_votes()
    flagged = Vote.objects.exclude(flags="")
    assert flagged.count() == 3 and "新注册账号" in flagged.last().flags
    assert "多账号共用设备" in flagged.last().flags
    assert Entry.objects.get(pk=first.pk).votes == 4
    # The operator reviews and invalidates them: marked, logged, shown to the public.
    client.force_login(ax.operator)
    client.post(f"/admin/activities/contests/{contest.pk}/",
                {"action": "invalidate", "entry": first.pk, "reason": "同一设备批量注册投票"})
    assert Vote.objects.count() == 5 and Vote.objects.filter(invalid=True).count() == 3
    assert Entry.objects.get(pk=first.pk).votes == 1
    assert Invalidation.objects.get().count == 3
    notice = client.get(f"{API}/contests/{contest.pk}/invalidations").json()
    assert notice[0]["count"] == 3 and notice[0]["reason"] == "同一设备批量注册投票"
    assert "作废票公示" in client.get(f"/activities/contests/{contest.pk}/").content.decode()


def test_a_blocked_word_in_an_entry_is_refused(client, ax):
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.normalize import normalize_word
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    WordEntry.objects.filter(normalized=normalize_word("网络赌博")).delete()
    word_create(actor=ax.operator, word="网络赌博", level="block", kind="sensitive")
    contest = make_contest(ax.operator)
    author = ax.people[0]
    api_post(client, author, f"/contests/{contest.pk}/register",
             {"answers": {"name": "李华", "phone": "13812345678"}})
    answer = client.post(f"{API}/contests/{contest.pk}/entries",
                         {"title": "我的作品", "text": "顺便介绍网络赌博"})
    assert answer.status_code == 400 and answer.json()["code"] == "wordgate_blocked"
    assert not Entry.objects.exists()
