"""The points ledger: append-only, idempotent, capped per day, never negative, lots that
expire and refunds that restore exactly what was spent."""

from datetime import datetime, timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.points import services
from rongmei.points.models import PointsAccount, PointsEntry, PointsLot

TZ = timezone.get_fixed_timezone(8 * 60)


def at(y, m, d, hh=12, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=TZ)


def balance(user):
    return PointsAccount.objects.get(user=user).balance


def assert_balanced(user):
    account = PointsAccount.objects.get(user=user)
    total = PointsEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
    assert account.balance == total >= 0
    live = PointsLot.objects.filter(account=account).aggregate(s=Sum("remaining"))["s"] or 0
    assert live == account.balance


@pytest.mark.django_db
def test_reading_pays_once_per_article_per_day(rules, make_user):
    user = make_user()
    now = at(2026, 11, 26)
    first = services.points_earn(user=user, action="read_article", source="article:1", now=now)
    again = services.points_earn(user=user, action="read_article", source="article:1", now=now)
    assert first is not None and again.pk == first.pk
    assert balance(user) == 1
    next_day = services.points_earn(user=user, action="read_article", source="article:1",
                                    now=now + timedelta(days=1))
    assert next_day.pk != first.pk and balance(user) == 2
    assert_balanced(user)


@pytest.mark.django_db
def test_daily_cap_and_the_midnight_boundary(rules, make_user):
    user = make_user()
    late = at(2026, 11, 26, 23, 59, 0)
    for n in range(12):
        services.points_earn(user=user, action="read_article", source=f"article:{n}", now=late)
    assert balance(user) == 10  # cap 10 a day
    assert services.points_earn(user=user, action="read_article", source="article:99",
                                now=late) is None
    after_midnight = at(2026, 11, 27, 0, 0, 1)
    assert services.points_earn(user=user, action="read_article", source="article:99",
                                now=after_midnight) is not None
    assert balance(user) == 11
    assert_balanced(user)


@pytest.mark.django_db
def test_partial_award_up_to_the_cap(rules, make_user):
    user = make_user()
    rules["watch_video"].daily_cap = 5
    rules["watch_video"].save()
    now = at(2026, 11, 26)
    amounts = [services.points_earn(user=user, action="watch_video", source=f"video:{n}",
                                    now=now) for n in range(3)]
    assert [e.amount if e else None for e in amounts] == [2, 2, 1]


@pytest.mark.django_db
def test_inactive_or_unknown_actions_pay_nothing(rules, make_user):
    user = make_user()
    rules["share"].is_active = False
    rules["share"].save()
    assert services.points_earn(user=user, action="share", source="article:1") is None
    assert services.points_earn(user=user, action="no_such_action", source="x") is None


@pytest.mark.django_db
def test_spending_never_goes_negative_and_is_idempotent(rules, make_user):
    user = make_user()
    services.points_earn(user=user, action="quiz", source="quiz:1")
    with pytest.raises(ServiceError) as exc:
        services.points_spend(user=user, amount=6, action="mall", reason="兑换", source="o:1",
                              key="order:1")
    assert exc.value.code == "insufficient_points" and "当前可用5分" in exc.value.message
    assert balance(user) == 5
    spend = services.points_spend(user=user, amount=3, action="mall", reason="兑换",
                                  source="order:2", key="order:2")
    replay = services.points_spend(user=user, amount=3, action="mall", reason="兑换",
                                   source="order:2", key="order:2")
    assert replay.pk == spend.pk and balance(user) == 2
    for bad in (0, -1, 1.5, "3", True):
        with pytest.raises(ServiceError):
            services.points_spend(user=user, amount=bad, action="mall", reason="兑换",
                                  source="x", key=f"bad:{bad!r}")
    assert_balanced(user)


@pytest.mark.django_db
def test_soonest_expiring_lots_are_spent_first_and_refunds_restore_them(rules, make_user):
    user = make_user()
    old = services.points_earn(user=user, action="quiz", source="q:old", now=at(2025, 3, 1))
    new = services.points_earn(user=user, action="quiz", source="q:new", now=at(2026, 3, 1))
    now = at(2026, 6, 1)
    spend = services.points_spend(user=user, amount=7, action="mall", reason="兑换",
                                  source="order:9", key="order:9", now=now)
    assert PointsLot.objects.get(entry=old).remaining == 0  # expires end of 2026
    assert PointsLot.objects.get(entry=new).remaining == 3  # expires end of 2027
    services.points_refund(spend=spend, reason="订单取消", now=now)
    assert PointsLot.objects.get(entry=old).remaining == 5
    assert PointsLot.objects.get(entry=new).remaining == 5
    again = services.points_refund(spend=spend, reason="订单取消", now=now)
    assert again.refund_of_id == spend.pk and balance(user) == 10
    assert_balanced(user)


@pytest.mark.django_db
def test_lots_expire_at_the_end_of_next_year_once(rules, make_user):
    user = make_user()
    entry = services.points_earn(user=user, action="quiz", source="q:1", now=at(2025, 7, 1))
    lot = PointsLot.objects.get(entry=entry)
    assert timezone.localtime(lot.expires_at) == at(2027, 1, 1, 0, 0, 0)
    assert services.points_expire(now=at(2026, 12, 31, 23, 59)) == 0
    assert services.points_expire(now=at(2027, 1, 1, 0, 0, 1)) == 5
    assert services.points_expire(now=at(2027, 1, 1, 0, 0, 2)) == 0
    assert balance(user) == 0
    assert_balanced(user)


@pytest.mark.django_db
def test_refund_into_an_expired_lot_expires_again(rules, make_user):
    user = make_user()
    services.points_earn(user=user, action="quiz", source="q:1", now=at(2025, 7, 1))
    spend = services.points_spend(user=user, amount=5, action="mall", reason="兑换",
                                  source="o", key="o", now=at(2026, 12, 30))
    services.points_refund(spend=spend, reason="超时未取", now=at(2027, 1, 2))
    assert balance(user) == 0
    assert_balanced(user)


@pytest.mark.django_db
def test_checkin_streak_bonus(rules, make_user):
    user = make_user()
    base = at(2026, 11, 1, 8)
    amounts = []
    for day in range(9):
        amounts.append(services.checkin(user=user, now=base + timedelta(days=day)).amount)
    assert amounts == [1, 2, 3, 4, 5, 6, 7, 7, 7]
    with pytest.raises(ServiceError) as exc:
        services.checkin(user=user, now=base + timedelta(days=8, hours=3))
    assert exc.value.code == "already_checked_in"


@pytest.mark.django_db
def test_manual_adjustment_needs_an_operator_and_a_reason(rules, make_user):
    user, operator = make_user(), make_user("operator")
    with pytest.raises(ServiceError):
        services.points_adjust(actor=make_user("editor"), user=user, amount=10, note="奖励")
    with pytest.raises(ServiceError):
        services.points_adjust(actor=operator, user=user, amount=10, note="")
    entry = services.points_adjust(actor=operator, user=user, amount=10, note="志愿活动补录")
    assert entry.actor == operator and "志愿活动补录" in entry.reason
    services.points_adjust(actor=operator, user=user, amount=-4, note="重复发放扣回")
    with pytest.raises(ServiceError):
        services.points_adjust(actor=operator, user=user, amount=-7, note="扣过头")
    assert balance(user) == 6
    assert_balanced(user)


@pytest.mark.django_db
def test_refund_into_a_lot_that_partly_expired_expires_again(rules, make_user):
    user = make_user()
    services.points_adjust(actor=make_user("operator"), user=user, amount=100, note="补录",
                           now=at(2025, 12, 30))
    spend = services.points_spend(user=user, amount=40, action="mall", reason="兑换",
                                  source="order:1", key="order:1", now=at(2026, 6, 1))
    assert services.points_expire(now=at(2027, 1, 1, 0, 0, 1)) == 60
    services.points_refund(spend=spend, reason="订单取消", now=at(2027, 1, 2))
    assert balance(user) == 0  # the 40 came back into an expired lot and expired again
    assert_balanced(user)
