"""The grab, the wallet QR and redemption: the rules residents and merchants meet."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.tests_support import give_realname, make_campaign, make_merchant
from rongmei.vouchers import codes, services
from rongmei.vouchers.models import Voucher, VoucherRound, VoucherStatus


@pytest.fixture
def resident(make_user):
    return make_user()


def grab(user, campaign, **kw):
    return services.voucher_grab(user=user, round_id=campaign.rounds.first().pk, **kw)


@pytest.mark.django_db
class TestGrab:
    def test_a_resident_grabs_a_voucher(self, resident):
        campaign = make_campaign(stock=5)
        voucher = grab(resident, campaign, ip="10.0.0.1")
        assert voucher.status == VoucherStatus.ISSUED and voucher.slot == 1
        assert len(voucher.code) == 10
        assert (voucher.valid_until - voucher.valid_from) == timedelta(days=30)
        assert VoucherRound.objects.get().remaining == 4

    def test_early_and_late_grabs_are_refused(self, resident):
        later = make_campaign(starts_at=timezone.now() + timedelta(minutes=5))
        with pytest.raises(ServiceError) as exc:
            grab(resident, later)
        assert exc.value.code == "round_not_open" and "还没到开抢时间" in exc.value.message
        over = make_campaign(starts_at=timezone.now() - timedelta(hours=2), round_minutes=60)
        with pytest.raises(ServiceError) as exc:
            grab(resident, over)
        assert exc.value.code == "round_ended"
        assert not Voucher.objects.exists()

    def test_realname_is_required_when_the_campaign_says_so(self, resident):
        campaign = make_campaign(require_realname=True)
        with pytest.raises(ServiceError) as exc:
            grab(resident, campaign)
        assert exc.value.code == "realname_required" and exc.value.status == 403
        give_realname(resident)
        assert grab(resident, campaign).user == resident

    def test_per_person_limit(self, resident):
        campaign = make_campaign(per_person_limit=2, stock=10)
        grab(resident, campaign)
        grab(resident, campaign)
        with pytest.raises(ServiceError) as exc:
            grab(resident, campaign)
        assert exc.value.code == "over_limit" and "每人限领2张" in exc.value.message
        assert Voucher.objects.filter(user=resident).count() == 2
        assert VoucherRound.objects.get().remaining == 8

    def test_sold_out(self, make_user):
        campaign = make_campaign(stock=2)
        grab(make_user(), campaign)
        grab(make_user(), campaign)
        with pytest.raises(ServiceError) as exc:
            grab(make_user(), campaign)
        assert exc.value.code == "sold_out" and exc.value.status == 409
        assert VoucherRound.objects.get().remaining == 0
        assert Voucher.objects.count() == 2

    def test_draft_campaign_is_not_grabbable(self, resident):
        campaign = make_campaign()
        campaign.status = "draft"
        campaign.save()
        with pytest.raises(ServiceError) as exc:
            grab(resident, campaign)
        assert exc.value.status == 404


@pytest.mark.django_db
class TestRedeem:
    @pytest.fixture
    def setup(self, resident):
        merchant = make_merchant()
        campaign = make_campaign(face_value=2000, threshold=10000)
        voucher = grab(resident, campaign)
        owner = merchant.staff.get().user
        return merchant, campaign, voucher, owner

    def test_merchant_redeems_by_scanning_the_qr(self, setup):
        merchant, campaign, voucher, owner = setup
        token = codes.qr_token(voucher.pk, voucher.secret)
        done = services.voucher_redeem(actor=owner, merchant_id=merchant.pk, token=token,
                                       bill_amount=12800)
        assert done.status == VoucherStatus.REDEEMED and done.merchant == merchant
        assert done.bill_amount == 12800
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, token=token,
                                    bill_amount=12800)
        assert exc.value.code == "already_redeemed"

    def test_fallback_number_and_dynamic_code(self, setup):
        merchant, campaign, voucher, owner = setup
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, code=voucher.code,
                                    dynamic="000000" if codes.dynamic_code(voucher.secret) != "000000" else "111111",
                                    bill_amount=12800)
        assert exc.value.code == "invalid_qr"
        done = services.voucher_redeem(actor=owner, merchant_id=merchant.pk,
                                       code=voucher.code.lower(),
                                       dynamic=codes.dynamic_code(voucher.secret),
                                       bill_amount=12800)
        assert done.status == VoucherStatus.REDEEMED

    def test_bill_below_threshold(self, setup):
        merchant, campaign, voucher, owner = setup
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=9999,
                                    token=codes.qr_token(voucher.pk, voucher.secret))
        assert exc.value.code == "below_threshold" and "满100元" in exc.value.message
        assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.ISSUED

    @pytest.mark.parametrize("amount", [0, -5, "100"])
    def test_bad_amounts(self, setup, amount):
        merchant, campaign, voucher, owner = setup
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=amount,
                                    token=codes.qr_token(voucher.pk, voucher.secret))
        assert exc.value.code == "invalid_amount"

    def test_forged_and_stale_qr(self, setup):
        merchant, campaign, voucher, owner = setup
        forged = codes.qr_token(voucher.pk, "someone-elses-secret")
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, token=forged,
                                    bill_amount=20000)
        assert exc.value.code == "invalid_qr"
        stale = codes.qr_token(voucher.pk, voucher.secret, window=codes.current_window() - 3)
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, token=stale,
                                    bill_amount=20000)
        assert exc.value.code == "qr_expired" and "刷新" in exc.value.message
        with pytest.raises(ServiceError):
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, token="garbage",
                                    bill_amount=20000)
        assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.ISSUED

    def test_wrong_merchant(self, setup, make_user):
        merchant, campaign, voucher, owner = setup
        restaurant = make_merchant(name="荷塘饭店", category="catering")
        chef = restaurant.staff.get().user
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=chef, merchant_id=restaurant.pk, bill_amount=20000,
                                    token=codes.qr_token(voucher.pk, voucher.secret))
        assert exc.value.code == "merchant_not_eligible"
        # Staff of one shop cannot redeem in the name of another.
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=chef, merchant_id=merchant.pk, bill_amount=20000,
                                    token=codes.qr_token(voucher.pk, voucher.secret))
        assert exc.value.code == "permission_denied"

    def test_expired_voucher(self, setup):
        merchant, campaign, voucher, owner = setup
        later = timezone.now() + timedelta(days=31)
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=20000,
                                    code=voucher.code,
                                    dynamic=codes.dynamic_code(
                                        voucher.secret, codes.current_window(later.timestamp())),
                                    now=later)
        assert exc.value.code == "voucher_expired"


@pytest.mark.django_db
def test_expiry_job_returns_stock_once(make_user):
    campaign = make_campaign(stock=3, rounds=2, valid_days=1, return_expired=True)
    first_round, second_round = campaign.rounds.order_by("starts_at")
    services.voucher_grab(user=make_user(), round_id=first_round.pk)
    later = timezone.now() + timedelta(hours=24, minutes=30)  # during the second round
    result = services.vouchers_expire(now=later)
    assert result == {"expired": 1, "returned": 1, "carried": 2}
    second_round.refresh_from_db()
    assert second_round.remaining == 3 + 1 + 2 and second_round.stock == 6
    assert services.vouchers_expire(now=later) == {"expired": 0, "returned": 0, "carried": 0}


@pytest.mark.django_db
def test_settlement_puts_each_redemption_in_exactly_one_statement(make_user):
    merchant = make_merchant()
    owner = merchant.staff.get().user
    operator = make_user("operator")
    campaign = make_campaign(stock=5, threshold=0)
    for _ in range(3):
        v = services.voucher_grab(user=make_user(), round_id=campaign.rounds.first().pk)
        services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=5000,
                                token=codes.qr_token(v.pk, v.secret))
    today = timezone.localdate()
    with pytest.raises(ServiceError) as exc:  # today is not over yet
        services.statement_generate(actor=operator, merchant=merchant, period_start=today,
                                    period_end=today)
    assert exc.value.code == "period_not_over"
    tomorrow = today + timedelta(days=1)
    statement = services.statement_generate(actor=operator, merchant=merchant,
                                            period_start=today, period_end=today, today=tomorrow)
    assert statement.voucher_count == 3
    assert statement.subsidy_total == 3 * 2000 and statement.bill_total == 15000
    with pytest.raises(ServiceError) as exc:
        services.statement_generate(actor=operator, merchant=merchant, period_start=today,
                                    period_end=today, today=tomorrow)
    assert exc.value.code in ("nothing_to_settle", "statement_exists")
    assert Voucher.objects.filter(statement=statement).count() == 3


@pytest.mark.django_db
def test_guessing_dynamic_codes_at_the_till_is_limited(make_user):
    merchant = make_merchant()
    owner = merchant.staff.get().user
    voucher = services.voucher_grab(user=make_user(), round_id=make_campaign(threshold=0)
                                    .rounds.first().pk)
    right = codes.dynamic_code(voucher.secret)
    wrong = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 6)]
    for guess in wrong:
        with pytest.raises(ServiceError) as exc:
            services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=100,
                                    code=voucher.code, dynamic=guess)
        assert exc.value.code == "invalid_qr"
    with pytest.raises(ServiceError) as exc:
        services.voucher_redeem(actor=owner, merchant_id=merchant.pk, bill_amount=100,
                                code=voucher.code, dynamic=right)
    assert exc.value.code == "rate_limited"
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.ISSUED
