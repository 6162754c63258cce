"""The demo county's voucher campaigns: a government grab at 10:00 daily for five days, and a
lottery for home appliances."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta

from django.utils import timezone

ORDER = 60


def seed(ctx) -> str:
    from rongmei.accounts.models import User
    from rongmei.units.demo import operator_phone

    campaigns = seed_campaigns(operator=User.objects.get(phone=operator_phone()))
    claimed, redeemed = seed_wallets()
    return f"消费券活动 {campaigns} 个，已领 {claimed} 张、已核销 {redeemed} 张"


# Residents who registered their real names and grabbed the retail voucher at today's first
# round; the first few spent it at 莲城百货超市 (the demo merchant's till).
WALLET_NAMES = ["王秀英", "李建华", "张桂兰", "刘志明", "陈美玲", "杨国强"]
SPENT = 3


def _id_number(n: int) -> str:
    """A well-formed demo ID number (莲乡's area code is made up; the check digit is real)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"36102519{70 + n:02d}0{1 + n % 9}{10 + n:02d}{100 + n:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def seed_wallets() -> tuple[int, int]:
    """Vouchers claimed and redeemed through the real services: 抢券 at the round's opening
    minute, 核销 by the merchant entering the voucher number and its dynamic code."""
    from rongmei.accounts.models import User
    from rongmei.accounts.services import realname_register
    from rongmei.merchants.models import Merchant
    from rongmei.units.demo import merchant_phone

    from . import codes
    from .models import Voucher, VoucherCampaign, VoucherStatus
    from .services.claims import voucher_grab
    from .services.redemption import voucher_redeem

    campaign = VoucherCampaign.objects.filter(title="莲乡惠民消费券（零售）").first()
    shop = Merchant.objects.filter(name="莲城百货超市").first()
    if campaign is None or Voucher.objects.filter(campaign=campaign).exists():
        return (Voucher.objects.count(),
                Voucher.objects.filter(status=VoucherStatus.REDEEMED).count())
    # Yesterday's round (the campaign's rounds run from today on): grabbed at its opening
    # minute, spent that afternoon, so every timestamp is in the past.
    from .models import VoucherRound

    first_round = campaign.rounds.order_by("starts_at").first()
    yesterday = first_round.starts_at - timedelta(days=1)
    first_round = VoucherRound.objects.create(
        campaign=campaign, starts_at=yesterday, ends_at=yesterday + timedelta(hours=12),
        stock=2000, remaining=2000)
    opened = yesterday + timedelta(minutes=1)
    for n, name in enumerate(WALLET_NAMES):
        user, _ = User.objects.get_or_create(phone=f"1580000{n + 1:04d}",
                                             defaults={"nickname": name[0] + "**"})
        if not hasattr(user, "realname"):
            realname_register(user=user, name=name, id_number=_id_number(n))
        voucher = voucher_grab(user=user, round_id=first_round.pk, now=opened)
        if n < SPENT and shop is not None:
            spent = opened + timedelta(hours=4 + n)
            voucher_redeem(actor=User.objects.get(phone=merchant_phone()), merchant_id=shop.pk,
                           bill_amount=campaign.threshold + 2580 * (n + 1), code=voucher.code,
                           dynamic=codes.dynamic_code(voucher.secret,
                                                      codes.current_window(spent.timestamp())),
                           now=spent)
    return (Voucher.objects.count(), Voucher.objects.filter(status=VoucherStatus.REDEEMED).count())


def seed_campaigns(*, operator) -> int:
    from .models import VoucherCampaign, VoucherRound

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    if not VoucherCampaign.objects.filter(title="莲乡惠民消费券（零售）").exists():
        campaign = VoucherCampaign.objects.create(
            title="莲乡惠民消费券（零售）", issuer="government", category="retail",
            description="县政府发放的零售类惠民消费券，在本县入驻的零售商户均可使用。",
            face_value=2000, threshold=10000, per_person_limit=1, require_realname=True,
            valid_days=14, status="published", created_by=operator)
        for day in range(5):
            start = datetime.combine(today + timedelta(days=day), time(10, 0), tzinfo=tz)
            VoucherRound.objects.create(campaign=campaign, starts_at=start,
                                        ends_at=start + timedelta(hours=12), stock=2000,
                                        remaining=2000)
    if not VoucherCampaign.objects.filter(title="家电以旧换新补贴券（摇号）").exists():
        campaign = VoucherCampaign.objects.create(
            title="家电以旧换新补贴券（摇号）", issuer="government", category="furniture",
            description="报名截止后公开摇号，种子承诺已事先公布，结果任何人可验证。",
            face_value=50000, threshold=300000, per_person_limit=1, require_realname=True,
            distribution="lottery", valid_days=30, status="published", created_by=operator,
            lottery_signup_until=datetime.combine(today + timedelta(days=7), time(18, 0), tzinfo=tz),
            # The demo's seed is public on purpose ("demo-seed-lianxiang-2026"); a real
            # operator keeps theirs secret until the draw.
            lottery_commitment=hashlib.sha256(b"demo-seed-lianxiang-2026").hexdigest(),
            lottery_public_source=f"{today + timedelta(days=8):%Y年%-m月%-d日}福彩3D开奖号码",
            lottery_public_draw_on=today + timedelta(days=8))  # after sign-up closes
        start = datetime.combine(today + timedelta(days=8), time(9, 0), tzinfo=tz)
        VoucherRound.objects.create(campaign=campaign, starts_at=start,
                                    ends_at=start + timedelta(days=30), stock=200, remaining=200)
    return VoucherCampaign.objects.count()
