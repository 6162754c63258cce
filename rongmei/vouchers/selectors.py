"""Read paths for vouchers."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from .models import CampaignStatus, Voucher, VoucherCampaign, VoucherRound, VoucherStatus


def campaigns_redeemable_at(*, merchant):
    """Campaigns whose vouchers ``merchant`` may redeem — the one eligibility rule, used by
    redemption and by the pages that say where a voucher can be spent: a merchant's own
    campaign only there; a government campaign at every merchant of its category, or only
    at the merchants it lists."""
    from django.db.models import Q

    listed = VoucherCampaign.merchants.through.objects.filter(merchant_id=merchant.pk)
    government = Q(issuer_merchant__isnull=True)
    return VoucherCampaign.objects.filter(
        Q(issuer_merchant=merchant)
        | (government & Q(all_merchants_in_category=True, category=merchant.category))
        | (government & Q(all_merchants_in_category=False,
                          pk__in=listed.values("vouchercampaign_id"))))


def campaigns_usable_at(*, merchant):
    """Published campaigns a resident can spend at ``merchant`` (its shop page)."""
    return (campaigns_redeemable_at(merchant=merchant)
            .filter(status=CampaignStatus.PUBLISHED).order_by("-created_at"))


def open_campaigns():
    """Published campaigns with their rounds, for the resident list (one query each)."""
    return (VoucherCampaign.objects.filter(status=CampaignStatus.PUBLISHED)
            .select_related("issuer_merchant")
            .prefetch_related(Prefetch("rounds", queryset=VoucherRound.objects.order_by("starts_at")))
            .order_by("-created_at"))


def campaign_detail(*, pk: int) -> VoucherCampaign | None:
    return open_campaigns().filter(pk=pk).first()


def round_state(round_obj: VoucherRound, now=None) -> str:
    """upcoming / open / sold_out / ended — what the grab button shows."""
    now = now or timezone.now()
    if now < round_obj.starts_at:
        return "upcoming"
    if now >= round_obj.ends_at:
        return "ended"
    return "sold_out" if round_obj.remaining <= 0 else "open"


def current_round(campaign: VoucherCampaign, now=None) -> VoucherRound | None:
    """The round a resident should see now: the open one, else the next, else the last."""
    now = now or timezone.now()
    rounds = list(campaign.rounds.all())
    for round_obj in rounds:
        if round_obj.starts_at <= now < round_obj.ends_at:
            return round_obj
    upcoming = [r for r in rounds if r.starts_at > now]
    if upcoming:
        return upcoming[0]
    return rounds[-1] if rounds else None


def expired_q(now):
    """Expired vouchers: marked so by the expiry job, or still issued but past their date
    (the job runs every few minutes; people should not see the difference)."""
    from django.db.models import Q

    return Q(status=VoucherStatus.EXPIRED) | Q(status=VoucherStatus.ISSUED, valid_until__lte=now)


def wallet(*, user, status: str | None = None):
    vouchers = (Voucher.objects.filter(user=user).select_related("campaign", "merchant")
                .order_by("-claimed_at"))
    now = timezone.now()
    if status == VoucherStatus.ISSUED:
        vouchers = vouchers.filter(status=VoucherStatus.ISSUED, valid_until__gt=now)
    elif status == VoucherStatus.EXPIRED:
        vouchers = vouchers.filter(expired_q(now))
    elif status:
        vouchers = vouchers.filter(status=status)
    return vouchers


def holder_voucher(*, user, code: str) -> Voucher | None:
    return (Voucher.objects.select_related("campaign").filter(user=user, code=code.upper())
            .first())


LOTTERY_ALGORITHM = (
    "报名截止前，运营方先公布摇号种子的 SHA-256 承诺值，种子本身保密；开奖时公布种子。"
    "任何人都可以复核：① 对种子（UTF-8 编码）计算 SHA-256，结果应与事先公布的承诺值一致；"
    "② 对每个报名序号 n，以种子为密钥、以 n 的十进制数字串为消息计算 HMAC-SHA256，"
    "得到十六进制字符串；③ 将全部报名序号按该字符串从小到大排序，排在最前面的 K 个序号中签"
    "（K 为中签名额，即本活动发放的券数）。"
)
LOTTERY_ALGORITHM_CODE = (
    "import hashlib, hmac\n"
    "assert hashlib.sha256(seed.encode()).hexdigest() == commitment\n"
    "order = sorted(numbers, key=lambda n: hmac.new(\n"
    "    seed.encode(), str(n).encode(), hashlib.sha256).hexdigest())\n"
    "winners = order[:K]"
)


def lottery_public_record(campaign: VoucherCampaign) -> dict:
    """What anyone may see of a 报名摇号 draw, enough to reproduce it: the commitment, the
    seed (only once drawn), every entry number with a masked phone and whether it won."""
    drawn = campaign.lottery_drawn_at is not None
    entries = [
        {"number": entry.number, "phone": entry.user.masked_phone, "won": drawn and entry.won}
        for entry in campaign.entries.select_related("user").order_by("number")
    ]
    if drawn:
        quota = sum(1 for entry in entries if entry["won"])
    else:
        first_round = campaign.rounds.order_by("starts_at").first()
        quota = first_round.remaining if first_round else 0
    return {
        "campaign_id": campaign.pk,
        "title": campaign.title,
        "signup_until": campaign.lottery_signup_until,
        "commitment": campaign.lottery_commitment,
        "drawn": drawn,
        "drawn_at": campaign.lottery_drawn_at,
        "seed": campaign.lottery_seed if drawn else "",
        "quota": quota,
        "entries": entries,
        "algorithm": LOTTERY_ALGORITHM,
        "algorithm_code": LOTTERY_ALGORITHM_CODE,
    }
