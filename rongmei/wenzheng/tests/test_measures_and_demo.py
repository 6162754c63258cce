"""Measures per unit/category/track/month with the ≥10-case ranking rule, and the demo seed."""

from __future__ import annotations

import random

import pytest

from rongmei.wenzheng import measures, services
from rongmei.wenzheng.models import Case, Track

from .conftest import submit

pytestmark = pytest.mark.django_db


def handled(wz, *, unit_handler, unit, satisfaction=None, resolved=True, contact=True,
            extension=False, rate=True, user=None):
    case = submit(wz, user=user)
    services.case_accept(actor=wz.handler, case_id=case.pk, track=Track.SIMPLE)
    a = services.dispatch_to_unit(actor=wz.handler, case_id=case.pk, unit_id=unit.pk)
    services.assignment_acknowledge(actor=unit_handler, assignment_id=a.pk)
    if contact:
        services.contact_log(actor=unit_handler, assignment_id=a.pk, method="phone", note="已联系")
    if extension:
        req = services.extension_request(actor=unit_handler, assignment_id=a.pk, days=2,
                                         reason="需要协调")
        services.request_decide(actor=wz.handler, request_id=req.pk, approve=True)
    reply = services.reply_draft(actor=unit_handler, assignment_id=a.pk,
                                 text="问题已经处理完毕，感谢反映。")
    services.reply_review(actor=wz.handler, reply_id=reply.pk, approve=True)
    if rate:
        services.case_rate(user=user or wz.resident, case_id=case.pk,
                           satisfaction=satisfaction or "satisfied", resolved=resolved)
    return case


def test_rates_and_the_ten_case_ranking_rule(wz, make_user):
    residents = [make_user() for _ in range(11)]
    for i in range(10):
        handled(wz, unit_handler=wz.unit_handler, unit=wz.county.housing, user=residents[i],
                satisfaction="unsatisfied" if i < 2 else "satisfied", resolved=i >= 3,
                contact=i != 0, extension=i == 9, rate=i < 8)
    handled(wz, unit_handler=wz.other_unit_handler, unit=wz.county.baishui, user=residents[10])
    rows = {r["label"]: r for r in measures.case_measures(group_by="unit")}
    housing = rows["县住房和城乡建设局"]
    assert housing["cases"] == 10 and housing["ranked"]
    assert housing["rated_share"] == 0.8           # 8 of 10 answered cases rated
    assert housing["satisfaction_rate"] == 0.75    # 6 of 8 rated satisfied
    assert housing["resolve_rate"] == 0.625        # 5 of 8 rated say resolved
    assert housing["response_rate"] == 0.9         # one was never contacted
    assert housing["extension_rate"] == 0.1 and housing["return_rate"] == 0.0
    assert housing["on_time_reply_rate"] == 1.0 and housing["median_hours"] is not None
    assert not rows["白水镇"]["ranked"]
    assert [r["label"] for r in measures.league_table()] == ["县住房和城乡建设局"]
    by_track = measures.case_measures(group_by="track")
    assert by_track[0]["cases"] == 11 and "简单" in by_track[0]["label"]
    assert len(measures.case_measures(group_by="month")) >= 1


def test_demo_seed_spreads_cases_across_tracks_and_statuses(wz, make_user):
    from rongmei.core.roles import DIRECTOR, PROPAGANDA, WENZHENG_HANDLER

    for i in range(60):
        make_user(phone=f"152{i:08d}", nickname=f"居民{i}")
    make_user(WENZHENG_HANDLER), make_user(PROPAGANDA), make_user(DIRECTOR)
    from rongmei.wenzheng.demo import seed_cases

    assert seed_cases(wz.county.root, count=40, rng=random.Random(7)) == 40
    assert seed_cases(wz.county.root, count=40, rng=random.Random(7)) == 40  # idempotent
    demo = Case.objects.filter(idempotency_key__startswith="demo-")
    assert demo.count() == 40
    assert len(set(demo.values_list("public_status", flat=True))) >= 4
    assert len(set(demo.exclude(track=None).values_list("track", flat=True))) == 3
    assert measures.case_measures(group_by="category")
