"""Settlement statements: every redemption in exactly one, each funder's apart.

A redemption counts what the voucher took off the bill (``Voucher.discount``, fixed at the
till by ``money.discount``: min(face value, bill)). Government-funded vouchers go into the
government's statement — what it owes the merchant; a merchant's own vouchers go into a
separate statement that records the merchant's own discount, which nobody pays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.merchants.models import Merchant
from rongmei.units.access import check_role

from ..models import (
    Issuer,
    SettlementStatement,
    Voucher,
    VoucherStatus,
)

# --- settlement -------------------------------------------------------------------------------

def statement_generate(*, actor, merchant: Merchant, period_start: date, period_end: date,
                       funder: str = Issuer.GOVERNMENT,
                       today: date | None = None) -> SettlementStatement:
    """Put every not-yet-settled redemption of the period paid by ``funder`` into one
    statement.

    Only finished days can be settled: a statement for a period still running would miss the
    rest of its last day for good (the next period starts after it, and a merchant's period
    is settled once)."""
    check_role(actor, OPERATOR)
    if funder not in Issuer.values:
        raise ServiceError("invalid_funder", "出资方无效", field="funder")
    if period_end < period_start:
        raise ServiceError("invalid_period", "结算结束日不能早于开始日", field="period_end")
    if period_end >= (today or timezone.localdate()):
        raise ServiceError("period_not_over", "只能结算已经结束的日期（结算结束日须早于今天）",
                           field="period_end")
    tz = timezone.get_current_timezone()
    start = datetime.combine(period_start, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(period_end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    with transaction.atomic():
        vouchers = Voucher.objects.select_for_update(of=("self",)).filter(
            merchant=merchant, status=VoucherStatus.REDEEMED, statement__isnull=True,
            campaign__issuer=funder, redeemed_at__gte=start, redeemed_at__lt=end)
        ids = list(vouchers.values_list("pk", flat=True))
        if not ids:
            raise ServiceError("nothing_to_settle", "该时段没有待结算的核销记录")
        totals = Voucher.objects.filter(pk__in=ids).aggregate(
            discounts=Sum("discount"), bills=Sum("bill_amount"), n=Count("pk"))
        try:
            statement = SettlementStatement.objects.create(
                merchant=merchant, funder=funder, period_start=period_start,
                period_end=period_end,
                voucher_count=totals["n"], subsidy_total=totals["discounts"] or 0,
                bill_total=totals["bills"] or 0, created_by=actor)
        except IntegrityError:
            raise ServiceError("statement_exists", "该商户该时段的结算单已生成") from None
        Voucher.objects.filter(pk__in=ids).update(statement=statement)
    return statement


def statements_generate_all(*, actor, period_start: date, period_end: date,
                            today: date | None = None) -> list:
    """Every merchant's statements for the period, one per funder with redemptions."""
    check_role(actor, OPERATOR)
    pairs = list(Voucher.objects.filter(statement__isnull=True, status=VoucherStatus.REDEEMED)
                 .values_list("merchant_id", "campaign__issuer").distinct()
                 .order_by("merchant_id", "campaign__issuer"))
    merchants = Merchant.objects.in_bulk({merchant_id for merchant_id, _ in pairs})
    made = []
    for merchant_id, funder in pairs:
        try:
            made.append(statement_generate(actor=actor, merchant=merchants[merchant_id],
                                           funder=funder, period_start=period_start,
                                           period_end=period_end, today=today))
        except ServiceError as exc:
            if exc.code not in ("nothing_to_settle", "statement_exists"):
                raise
    return made
