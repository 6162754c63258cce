"""A small county with two teams in two townships, their leaders and a few volunteers."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from rongmei.tests_support import make_user


def volunteer(user, name="李志愿"):
    from rongmei.volunteers.models import Volunteer

    return Volunteer.objects.create(user=user, real_name=name)


def leader_of(team, user=None):
    from rongmei.volunteers.models import MemberStatus, TeamMember

    user = user or make_user("volunteer_leader", unit=team.unit)
    v = volunteer(user, "王队长")
    TeamMember.objects.create(team=team, volunteer=v, status=MemberStatus.ACTIVE, is_leader=True)
    return user


def new_activity(team, *, capacity=3, starts_in=timedelta(days=1), hours=3, **extra):
    from rongmei.volunteers.models import Activity

    start = timezone.now() + starts_in
    return Activity.objects.create(team=team, title="社区助老", place="荷塘社区",
                                   starts_at=start, ends_at=start + timedelta(hours=hours),
                                   cancel_cutoff=start - timedelta(hours=2), capacity=capacity,
                                   **extra)


@pytest.fixture
def vx(county):
    from rongmei.volunteers.models import Team

    team = Team.objects.create(name="荷塘镇志愿服务队", unit=county.hetang)
    other = Team.objects.create(name="白水镇志愿服务队", unit=county.baishui)
    leader = leader_of(team)
    other_leader = leader_of(other)
    people = [make_user() for _ in range(3)]
    for index, person in enumerate(people):
        volunteer(person, f"志愿者{index + 1}")
    return SimpleNamespace(county=county, team=team, other=other, leader=leader,
                           other_leader=other_leader, people=people)


@pytest.fixture(autouse=True)
def _seeded_rules(request):
    """The points rules and service menu the data migrations create (a transactional test
    elsewhere in the run may have flushed them)."""
    if "db" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db") if not request.node.get_closest_marker("django_db") else None
    from rongmei.points.models import EarningRule
    from rongmei.volunteers.models import MenuItem

    EarningRule.objects.get_or_create(action="volunteer_hour", defaults={
        "label": "志愿服务（每小时）", "points": 10, "daily_cap": 0})
    EarningRule.objects.get_or_create(action="sanzhang_service", defaults={
        "label": "三长服务", "points": 5, "daily_cap": 20})
    MenuItem.objects.get_or_create(name="助老服务")
