"""Parallel sign-ups never pass the cap: on PostgreSQL, with real row locks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from rongmei.core.errors import ServiceError
from rongmei.tests_support import build_county, make_user
from rongmei.volunteers import services
from rongmei.volunteers.models import Activity, Signup, Team

from .conftest import new_activity, volunteer

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: row locks under concurrency")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_signups_fill_exactly_the_places():
    county = build_county()
    team = Team.objects.create(name="并发测试队", unit=county.hetang)
    activity = new_activity(team, capacity=5)
    people = [make_user() for _ in range(24)]
    for person in people:
        volunteer(person)

    def sign(person):
        try:
            return services.signup_create(user=person, activity_id=activity.pk).status
        except ServiceError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(sign, people))
    assert outcomes.count("confirmed") == 5
    assert outcomes.count("waiting") == 19
    activity.refresh_from_db()
    assert activity.taken == 5 == Signup.objects.filter(activity=activity,
                                                        status="confirmed").count()

    # parallel cancels and sign-ups: still exact, every freed place taken from the queue
    confirmed = [s.volunteer.user for s in Signup.objects.filter(
        activity=activity, status="confirmed").select_related("volunteer__user")]

    def cancel(person):
        try:
            return services.signup_cancel(user=person, activity_id=activity.pk).status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(cancel, confirmed))
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.taken == 5 == Signup.objects.filter(activity=activity,
                                                        status="confirmed").count()
    assert Signup.objects.filter(activity=activity, status="waiting").count() == 14


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_signups_of_one_person_for_overlapping_activities_take_one():
    """The volunteer row is locked first: of six sign-ups sent at once for activities at the
    same time, exactly one goes through (one person's hour is counted once)."""
    county = build_county()
    team = Team.objects.create(name="并发重叠测试队", unit=county.hetang)
    activities = [new_activity(team, capacity=5) for _ in range(6)]
    person = make_user()
    volunteer(person)

    def sign(activity):
        try:
            return services.signup_create(user=person, activity_id=activity.pk).status
        except ServiceError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(sign, activities))
    assert sorted(outcomes) == ["confirmed"] + ["time_conflict"] * 5
    assert Signup.objects.filter(volunteer__user=person).count() == 1
    assert sum(Activity.objects.filter(pk__in=[a.pk for a in activities])
               .values_list("taken", flat=True)) == 1
