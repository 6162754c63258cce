"""报名摇号 under a crowd, on real PostgreSQL: everyone who signs up at once gets one entry
with a distinct random number, and two operators pressing 开奖 together draw once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rongmei.accounts.models import User
from rongmei.tests_support import make_campaign, make_user, run_at_once
from rongmei.vouchers import services
from rongmei.vouchers.models import LotteryEntry, Voucher, VoucherCampaign

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: unique indexes and row locks under real concurrency")

SEED = "并发摇号测试-种子-0123456789"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_crowd_signs_up_and_two_operators_draw_once():
    operator = make_user("operator")
    campaign = make_campaign(creator=operator, stock=5, distribution="lottery",
                             lottery_signup_until=timezone.now() + timedelta(hours=1))
    services.lottery_commit(actor=operator, campaign=campaign, seed=SEED,
                            public_source="福彩3D 第2030115期",
                            public_draw_on=timezone.localdate() + timedelta(days=2))
    User.objects.bulk_create([User(phone=str(13600000000 + n), password="!")
                              for n in range(40)])
    people = list(User.objects.filter(phone__startswith="1360000"))
    # Each person presses twice at once.
    outcomes = run_at_once([lambda p=p: services.lottery_signup(user=p, campaign_id=campaign.pk)
                           for p in people * 2])
    assert outcomes.count("ok") == 40
    assert set(outcomes) <= {"ok", "already_signed_up"}
    numbers = list(LotteryEntry.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 40

    VoucherCampaign.objects.filter(pk=campaign.pk).update(
        lottery_signup_until=timezone.now() - timedelta(minutes=2))
    campaign.refresh_from_db()
    closes = run_at_once([lambda: services.lottery_close(actor=operator, campaign=campaign)
                         for _ in range(3)])
    assert closes == ["ok"] * 3  # sealing is idempotent
    second, third = make_user("operator"), make_user("operator")
    later = timezone.now() + timedelta(days=3)
    services.lottery_public_value_enter(actor=operator, campaign=campaign, public_value="3 1 4",
                                        now=later)
    draws = run_at_once([
        lambda a=a: services.lottery_draw(actor=a, campaign=campaign, seed=SEED,
                                          public_value="3 1 4", now=later)
        for a in (second, third)])
    assert sorted(draws) == ["already_drawn", "ok"]
    assert Voucher.objects.filter(campaign=campaign).count() == 5
    assert LotteryEntry.objects.filter(won=True).count() == 5
