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


def redemptions(*, roles: dict[int, str], user, merchant_id: int | None = None):
    """核销记录 for merchant staff: at a shop they own, every redemption and who made it; at
    a shop where they are a clerk, the ones they made themselves. ``roles`` is
    ``merchants.access.roles_of(user)``."""
    from django.db.models import Q

    shown = Q(pk__in=[])
    for shop, role in roles.items():
        if merchant_id is not None and shop != merchant_id:
            continue
        mine = Q(merchant_id=shop)
        shown |= mine if role == "owner" else mine & Q(redeemed_by=user)
    return (Voucher.objects.filter(shown, status=VoucherStatus.REDEEMED)
            .select_related("campaign", "merchant", "redeemed_by")
            .order_by("-redeemed_at", "-pk"))


def holder_voucher(*, user, code: str) -> Voucher | None:
    return (Voucher.objects.select_related("campaign").filter(user=user, code=code.upper())
            .first())


def lottery_public_record(campaign: VoucherCampaign) -> dict:
    """What anyone may see of a 报名摇号 draw, enough to reproduce it with
    ``rongmei.core.draw``: the commitment and the named public source (before sign-up), the
    sealed list's digest and quota (at the close), the public value, the seed and the result
    (at the draw). Entries show their random number and a masked phone."""
    drawn = campaign.lottery_drawn_at is not None
    sealed = campaign.lottery_closed_at is not None
    # While sign-up is open only the count is public: the live list with the committed
    # seed's holder watching would let an insider grind sign-ups. The list (and its digest)
    # is published when it is sealed.
    entries = [
        {"number": str(entry.number), "phone": entry.user.masked_phone,
         "excluded": entry.excluded, "forfeited": drawn and entry.forfeited,
         "won": drawn and entry.won}
        for entry in campaign.entries.select_related("user").order_by("number")
    ] if sealed else []
    entry_count = len(entries) if sealed else campaign.entries.count()
    if sealed:
        quota = campaign.lottery_quota or 0
    else:
        first_round = campaign.rounds.order_by("starts_at").first()
        quota = first_round.remaining if first_round else 0
    return {
        "campaign_id": campaign.pk,
        "title": campaign.title,
        "signup_until": campaign.lottery_signup_until,
        "commitment": campaign.lottery_commitment,
        "public_source": campaign.lottery_public_source,
        "public_draw_on": campaign.lottery_public_draw_on,
        "sealed": sealed,
        "closed_at": campaign.lottery_closed_at,
        "entries_digest": campaign.lottery_entries_digest,
        "drawn": drawn,
        "drawn_at": campaign.lottery_drawn_at,
        "public_value": campaign.lottery_public_value if drawn else "",
        "seed": campaign.lottery_seed if drawn else "",
        "quota": quota,
        "entries": entries,
        "entry_count": entry_count,
        "sealed_count": sum(1 for e in entries if not e["excluded"]),
        "excluded_count": sum(1 for e in entries if e["excluded"]),
    }


def lottery_verification_input(record: dict) -> dict:
    """The published record in the shape ``rongmei_draw.py record.json`` reads."""
    from rongmei.core import draw

    sealed = [e for e in record["entries"] if not e["excluded"]]
    data = {
        "formula": draw.FORMULA,
        "title": record["title"],
        "commitment": record["commitment"],
        "public_source": record["public_source"],
        "public_draw_on": (record["public_draw_on"].isoformat()
                           if record["public_draw_on"] else None),
        "quota": record["quota"],
    }
    if record["sealed"]:
        data.update({"entries": [e["number"] for e in sealed],
                     "entries_digest": record["entries_digest"]})
    else:
        data["entry_count"] = record["entry_count"]  # the list is published when sealed
    if record["drawn"]:
        data.update({
            "public_value": record["public_value"], "seed": record["seed"],
            "winners": [e["number"] for e in sealed if e["won"]],
        })
    return data
