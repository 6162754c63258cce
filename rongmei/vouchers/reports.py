"""Read paths behind the operators' screens: the campaign dashboard and the report of
suspicious claims. Each figure is one grouped query; nothing is counted row by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from rongmei.merchants.models import BusinessCategory

from .models import (
    CampaignStatus,
    Issuer,
    Voucher,
    VoucherCampaign,
    VoucherRound,
    VoucherStatus,
)
from .selectors import expired_q

TOP_MERCHANTS = 20


@dataclass
class Row:
    """Claimed / redeemed / expired vouchers of one slice; what the redeemed vouchers took
    off bills (fen) — ``subsidy`` for government-funded vouchers (what the government owes
    the merchants, the same figure its settlement statements add up), ``merchant_discount``
    for merchants' own vouchers (nobody pays it) — and the spending they drove (the bills
    they were used on, fen)."""

    label: str
    claimed: int = 0
    redeemed: int = 0
    expired: int = 0
    subsidy: int = 0
    merchant_discount: int = 0
    spending: int = 0
    stock: int | None = None
    remaining: int | None = None
    key: object = None

    @property
    def unused(self) -> int:
        return self.claimed - self.redeemed - self.expired


@dataclass
class Dashboard:
    campaign: VoucherCampaign | None
    total: Row
    by_round: list[Row] = field(default_factory=list)
    by_campaign: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_merchant: list[Row] = field(default_factory=list)

    def chart_data(self) -> dict:
        """Plain numbers for the charts (amounts stay in fen; the script shows yuan)."""
        slices = self.by_round if self.campaign else self.by_campaign

        def series(rows, *names):
            return {"labels": [r.label for r in rows],
                    **{name: [getattr(r, name) for r in rows] for name in names}}

        return {
            "slices": series(slices, "claimed", "redeemed", "expired"),
            "categories": series(self.by_category, "claimed", "redeemed", "expired"),
            "merchants": series(self.by_merchant, "redeemed", "subsidy", "spending"),
        }


REDEEMED = Q(status=VoucherStatus.REDEEMED)


def _money() -> dict:
    """The money figures of redeemed vouchers, from the discount each redemption stored."""
    return {
        "subsidy": Sum("discount", filter=REDEEMED & Q(campaign__issuer=Issuer.GOVERNMENT)),
        "merchant_discount": Sum("discount",
                                 filter=REDEEMED & Q(campaign__issuer=Issuer.MERCHANT)),
        "spending": Sum("bill_amount", filter=REDEEMED),
    }


def _figures(now: datetime) -> dict:
    return {
        "claimed": Count("pk"),
        "redeemed": Count("pk", filter=REDEEMED),
        "expired": Count("pk", filter=expired_q(now)),
        **_money(),
    }


def _row(label: str, figures: dict | None, **extra) -> Row:
    figures = figures or {}
    return Row(label=label, claimed=figures.get("claimed") or 0,
               redeemed=figures.get("redeemed") or 0, expired=figures.get("expired") or 0,
               subsidy=figures.get("subsidy") or 0,
               merchant_discount=figures.get("merchant_discount") or 0,
               spending=figures.get("spending") or 0,
               **extra)


def _grouped(vouchers, key: str, now: datetime) -> dict:
    return {row.pop(key): row for row in vouchers.values(key).annotate(**_figures(now))
            .order_by(key)}


def campaign_dashboard(*, campaign: VoucherCampaign | None = None,
                       now: datetime | None = None) -> Dashboard:
    """Figures for one campaign (per round) or for all of them (per campaign), each time
    also per category and for the top merchants."""
    now = now or timezone.now()
    vouchers = Voucher.objects.all()
    rounds = VoucherRound.objects.all()
    if campaign is not None:
        vouchers = vouchers.filter(campaign=campaign)
        rounds = rounds.filter(campaign=campaign)
    stock = rounds.aggregate(stock=Sum("stock"), remaining=Sum("remaining"))
    dashboard = Dashboard(campaign=campaign, total=_row(
        "合计", vouchers.aggregate(**_figures(now)), stock=stock["stock"] or 0,
        remaining=stock["remaining"] or 0))

    if campaign is not None:
        per_round = _grouped(vouchers, "round_id", now)
        dashboard.by_round = [
            _row(f"{timezone.localtime(r.starts_at):%m-%d %H:%M}", per_round.get(r.pk),
                 stock=r.stock, remaining=r.remaining, key=r.pk)
            for r in rounds.order_by("starts_at")]
    else:
        per_campaign = _grouped(vouchers, "campaign_id", now)
        campaigns = (VoucherCampaign.objects.exclude(status=CampaignStatus.DRAFT)
                     .annotate(stock=Sum("rounds__stock"), remaining=Sum("rounds__remaining"))
                     .order_by("-created_at"))
        dashboard.by_campaign = [
            _row(c.title, per_campaign.get(c.pk), stock=c.stock or 0,
                 remaining=c.remaining or 0, key=c.pk)
            for c in campaigns]

    per_category = _grouped(vouchers, "campaign__category", now)
    dashboard.by_category = [_row(label, per_category[value], key=value)
                             for value, label in BusinessCategory.choices
                             if value in per_category]

    top = (vouchers.filter(status=VoucherStatus.REDEEMED)
           .values("merchant_id", "merchant__name")
           .annotate(redeemed=Count("pk"), **_money())
           .order_by("-redeemed", "-spending", "merchant_id")[:TOP_MERCHANTS])
    dashboard.by_merchant = [_row(row["merchant__name"], row, key=row["merchant_id"])
                             for row in top]
    return dashboard


# --- anti-scalping ---------------------------------------------------------------------------

@dataclass
class Claimant:
    phone: str
    joined: datetime
    first_claim: datetime
    vouchers: int
    ip: str | None = None
    device: str = ""


@dataclass
class SharedSource:
    """An IP address or device from which more than N different accounts claimed."""

    kind: str  # "ip" or "device"
    value: str
    accounts: int
    claims: int
    claimants: list[Claimant] = field(default_factory=list)


@dataclass
class SuspiciousReport:
    campaign: VoucherCampaign
    min_accounts: int
    ips: list[SharedSource]
    devices: list[SharedSource]
    new_accounts: list[Claimant]
    new_accounts_total: int


SOURCES_SHOWN = 100
CLAIMANTS_SHOWN = 50
NEW_ACCOUNTS_SHOWN = 500
NEW_ACCOUNT_WINDOW = timedelta(hours=24)


def _shared_sources(vouchers, column: str, kind: str, min_accounts: int) -> list[SharedSource]:
    groups = list(vouchers.values(column)
                  .annotate(accounts=Count("user_id", distinct=True), claims=Count("pk"))
                  .filter(accounts__gt=min_accounts)
                  .order_by("-accounts", column)[:SOURCES_SHOWN])
    sources = {row[column]: SharedSource(kind=kind, value=row[column], accounts=row["accounts"],
                                         claims=row["claims"]) for row in groups}
    if not sources:
        return []
    seen: dict[tuple, Claimant] = {}
    for voucher in (vouchers.filter(**{f"{column}__in": list(sources)})
                    .select_related("user").order_by("claimed_at").iterator(chunk_size=2000)):
        source = sources[getattr(voucher, column)]
        claimant = seen.get((source.value, voucher.user_id))
        if claimant is not None:
            claimant.vouchers += 1
        elif len(source.claimants) < CLAIMANTS_SHOWN:
            claimant = Claimant(phone=voucher.user.masked_phone, joined=voucher.user.date_joined,
                                first_claim=voucher.claimed_at, vouchers=1,
                                ip=voucher.claim_ip, device=voucher.claim_device)
            seen[(source.value, voucher.user_id)] = claimant
            source.claimants.append(claimant)
    return list(sources.values())


def suspicious_claims(*, campaign: VoucherCampaign, min_accounts: int = 5) -> SuspiciousReport:
    """可疑领取: IPs and devices shared by more than ``min_accounts`` accounts, and accounts
    registered within 24 hours before they claimed. Phones are masked."""
    vouchers = Voucher.objects.filter(campaign=campaign)
    fresh = (vouchers.filter(user__date_joined__gt=F("claimed_at") - NEW_ACCOUNT_WINDOW)
             .select_related("user").order_by("-claimed_at"))
    return SuspiciousReport(
        campaign=campaign, min_accounts=min_accounts,
        ips=_shared_sources(vouchers.exclude(claim_ip__isnull=True), "claim_ip", "ip",
                            min_accounts),
        devices=_shared_sources(vouchers.exclude(claim_device=""), "claim_device", "device",
                                min_accounts),
        new_accounts=[Claimant(phone=v.user.masked_phone, joined=v.user.date_joined,
                               first_claim=v.claimed_at, vouchers=1, ip=v.claim_ip,
                               device=v.claim_device)
                      for v in fresh[:NEW_ACCOUNTS_SHOWN]],
        new_accounts_total=fresh.count(),
    )
