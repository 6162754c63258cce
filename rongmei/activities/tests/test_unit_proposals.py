"""A 分端管理员 proposes a contest for their unit in the console; it goes live only after
the center (an operator) approves it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.activities.models import Contest
from rongmei.tests_support import build_county, make_user

from .conftest import API

pytestmark = pytest.mark.django_db
FMT = "%Y-%m-%dT%H:%M"


def proposal(unit, title="荷塘镇乡村振兴故事会"):
    now = timezone.now()
    return {
        "title": title, "unit_id": unit.pk,
        "registration_opens": (now - timedelta(hours=1)).strftime(FMT),
        "submission_closes": (now + timedelta(days=1)).strftime(FMT),
        "voting_opens": (now + timedelta(days=2)).strftime(FMT),
        "voting_closes": (now + timedelta(days=3)).strftime(FMT),
        "results_at": (now + timedelta(days=4)).strftime(FMT), "form_fields": ["name"],
        "allow_text": "on", "votes_per_day": 1, "vote_scope": "contest", "judge_weight": 0}


def test_a_unit_proposal_is_public_only_after_the_center_approves(client, ax):
    county = build_county()
    unit_admin = make_user("unit_admin", unit=county.hetang)
    client.force_login(unit_admin)
    answer = client.post("/admin/activities/contests/", proposal(county.hetang))
    assert answer.status_code == 302, answer.context["form"].errors
    contest = Contest.objects.get()
    assert (contest.unit, contest.is_published, contest.proposal_status) == (
        county.hetang, False, "pending")
    # Not public, and the unit admin cannot open the operators' page to approve it.
    assert client.get(f"{API}/contests/{contest.pk}").status_code == 404
    assert client.get(f"{API}/contests").json() == []
    client.post(f"/admin/activities/contests/{contest.pk}/", {"action": "proposal_approve"})
    assert not Contest.objects.get().is_published
    listing = client.get("/admin/activities/contests/").content.decode()
    assert "待中心审核" in listing
    # The center turns it down with a reason, then (after a new proposal) approves one.
    client.force_login(ax.operator)
    assert "荷塘镇乡村振兴故事会" in client.get("/admin/activities/contests/").content.decode()
    client.post(f"/admin/activities/contests/{contest.pk}/", {"action": "proposal_reject"})
    assert Contest.objects.get().proposal_status == "pending"  # a reason is required
    client.post(f"/admin/activities/contests/{contest.pk}/",
                {"action": "proposal_reject", "note": "投票规则需写明评委构成"})
    contest.refresh_from_db()
    assert (contest.proposal_status, contest.is_published) == ("rejected", False)
    client.force_login(unit_admin)
    assert "投票规则需写明评委构成" in client.get("/admin/activities/contests/")\
        .content.decode()
    client.post("/admin/activities/contests/", proposal(county.hetang, "荷塘镇故事会（修改）"))
    second = Contest.objects.get(title="荷塘镇故事会（修改）")
    client.force_login(ax.operator)
    client.post(f"/admin/activities/contests/{second.pk}/", {"action": "proposal_approve"})
    second.refresh_from_db()
    assert (second.proposal_status, second.is_published) == ("approved", True)
    assert client.get(f"{API}/contests/{second.pk}").status_code == 200


def test_unit_admins_propose_only_for_their_own_units(client, ax):
    county = build_county()
    unit_admin = make_user("unit_admin", unit=county.hetang)
    client.force_login(unit_admin)
    answer = client.post("/admin/activities/contests/", proposal(county.baishui))
    assert answer.status_code == 200 and "选择一个有效的选项" in answer.content.decode()
    resident = ax.people[0]
    client.force_login(resident)
    client.post("/admin/activities/contests/", proposal(county.hetang))
    assert not Contest.objects.exists()
