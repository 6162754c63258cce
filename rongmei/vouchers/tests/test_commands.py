"""The periodic voucher commands: expiry, settlement and rebuilding the Redis gates."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from rongmei.core.redis import get_redis
from rongmei.tests_support import make_campaign, make_merchant
from rongmei.vouchers import codes, grab, services
from rongmei.vouchers.models import SettlementStatement, Voucher, VoucherRound, VoucherStatus


def run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_expire_command_returns_stock_once_and_then_changes_nothing(make_user):
    campaign = make_campaign(stock=3, rounds=2, valid_days=1, return_expired=True,
                             starts_at=timezone.now() - timedelta(hours=25), round_minutes=60)
    first, second = campaign.rounds.order_by("starts_at")
    VoucherRound.objects.filter(pk=second.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                     ends_at=timezone.now() + timedelta(hours=1))
    voucher = Voucher.objects.create(
        campaign=campaign, round=first, user=make_user(), slot=1, code="EXPIRE0001",
        secret="s", valid_from=timezone.now() - timedelta(days=2),
        valid_until=timezone.now() - timedelta(minutes=1))
    VoucherRound.objects.filter(pk=first.pk).update(remaining=2)

    output = run("vouchers_expire")
    assert "过期 1 张" in output and "退回券池 1 张" in output and "转入下一场 2 张" in output
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.EXPIRED and voucher.returned_to_id == second.pk
    second.refresh_from_db()
    assert (second.stock, second.remaining) == (3 + 1 + 2, 3 + 1 + 2)

    again = run("vouchers_expire")
    assert "过期 0 张" in again and "退回券池 0 张" in again and "转入下一场 0 张" in again
    second.refresh_from_db()
    assert (second.stock, second.remaining) == (6, 6)


@pytest.fixture
def redeemed(make_user):
    """Two shops with one redemption each (today), and an operator."""
    operator = make_user("operator")
    campaign = make_campaign(creator=operator, stock=5, threshold=0)
    shops = [make_merchant(name="莲城超市"), make_merchant(name="荷塘便利店")]
    for shop in shops:
        voucher = services.voucher_grab(user=make_user(), round_id=campaign.rounds.get().pk)
        services.voucher_redeem(actor=shop.staff.get().user, merchant_id=shop.pk,
                                bill_amount=6600, token=codes.qr_token(voucher.pk, voucher.secret))
    return operator, shops


@pytest.mark.django_db
def test_settle_command_puts_each_redemption_in_one_statement(redeemed):
    operator, shops = redeemed
    today = f"{timezone.localdate():%Y-%m-%d}"
    with pytest.raises(CommandError, match="已经结束"):  # a day is settled once it is over
        run("vouchers_settle", "--start", today, "--end", today, "--actor", operator.phone)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        output = run("vouchers_settle", "--start", today, "--end", today, "--actor",
                     operator.phone)
        again = run("vouchers_settle", "--start", today, "--end", today, "--actor",
                    operator.phone)
    assert "生成结算单 2 张" in output
    assert "莲城超市（财政补贴结算单）：核销 1 张，抵扣 20 元，财政应付 20 元，带动消费 66 元" in output
    assert SettlementStatement.objects.count() == 2
    assert not Voucher.objects.filter(status=VoucherStatus.REDEEMED,
                                      statement__isnull=True).exists()
    statement = SettlementStatement.objects.get(merchant=shops[0])
    assert statement.created_by == operator
    assert "生成结算单 0 张" in again
    assert SettlementStatement.objects.count() == 2


@pytest.mark.django_db
def test_settle_previous_month_covers_last_calendar_month(redeemed):
    operator, _shops = redeemed
    first_of_month = timezone.localdate().replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    Voucher.objects.filter(status=VoucherStatus.REDEEMED).update(
        redeemed_at=timezone.now() - timedelta(days=timezone.localdate().day + 1))
    output = run("vouchers_settle", "--previous-month", "--actor", operator.phone)
    assert f"{last_month_end.replace(day=1):%Y-%m-%d} 至 {last_month_end:%Y-%m-%d}" in output
    assert "生成结算单 2 张" in output
    assert set(SettlementStatement.objects.values_list("period_end", flat=True)) == {
        last_month_end}


@pytest.mark.django_db
def test_settle_refuses_bad_input_in_chinese(redeemed, make_user):
    operator, _shops = redeemed
    today = f"{timezone.localdate():%Y-%m-%d}"
    with pytest.raises(CommandError, match="请给出 --start 和 --end"):
        run("vouchers_settle", "--actor", operator.phone)
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        run("vouchers_settle", "--start", "2026/01/01", "--end", today, "--actor", operator.phone)
    with pytest.raises(CommandError, match="结算结束日不能早于开始日"):
        run("vouchers_settle", "--start", today, "--end", "2000-01-01", "--actor", operator.phone)
    with pytest.raises(CommandError, match="找不到手机号为 13911112222 的有效账号"):
        run("vouchers_settle", "--start", today, "--end", today, "--actor", "13911112222")
    reporter = make_user("reporter")
    with pytest.raises(CommandError, match="此操作仅限运营"):
        run("vouchers_settle", "--start", today, "--end", today, "--actor", reporter.phone)
    assert not SettlementStatement.objects.exists()


@pytest.mark.django_db
def test_reconcile_rebuilds_the_gates_from_the_database(make_user):
    campaign = make_campaign(stock=5, per_person_limit=2)
    round_obj = campaign.rounds.get()
    holder = make_user()
    services.voucher_grab(user=holder, round_id=round_obj.pk)
    client = get_redis()
    if client is None:
        assert "未配置 Redis" in run("vouchers_reconcile")
        return
    client.delete(grab.stock_key(round_obj.pk), grab.users_key(campaign.pk))  # Redis wiped

    assert "重建 1 个" in run("vouchers_reconcile")
    assert int(client.get(grab.stock_key(round_obj.pk))) == 4
    assert int(client.hget(grab.users_key(campaign.pk), holder.pk)) == 1
    assert "重建 1 个" in run("vouchers_reconcile")  # again: the same state, nothing more
    assert int(client.get(grab.stock_key(round_obj.pk))) == 4
