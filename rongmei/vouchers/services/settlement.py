"""Settlement statements: every redemption in exactly one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from rongmei.core.access import check_role
from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.merchants.models import Merchant

from ..models import (
    SettlementStatement,
    Voucher,
    VoucherStatus,
)

# --- settlement -------------------------------------------------------------------------------

def statement_generate(*, actor, merchant: Merchant, period_start: date, period_end: date,
                       today: date | None = None) -> SettlementStatement:
    """Put every not-yet-settled redemption of the period into one statement.

    Only finished days can be settled: a statement for a period still running would miss the
    rest of its last day for good (the next period starts after it, and a merchant's period
    is settled once)."""
    check_role(actor, OPERATOR)
    if period_end < period_start:
        raise ServiceError("invalid_period", "结算结束日不能早于开始日", field="period_end")
    if period_end >= (today or timezone.localdate()):
        raise ServiceError("period_not_over", "只能结算已经结束的日期（结算结束日须早于今天）",
                           field="period_end")
    tz = timezone.get_current_timezone()
    start = datetime.combine(period_start, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(period_end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    with transaction.atomic():
        vouchers = Voucher.objects.select_for_update().filter(
            merchant=merchant, status=VoucherStatus.REDEEMED, statement__isnull=True,
            redeemed_at__gte=start, redeemed_at__lt=end)
        ids = list(vouchers.values_list("pk", flat=True))
        if not ids:
            raise ServiceError("nothing_to_settle", "该时段没有待结算的核销记录")
        totals = Voucher.objects.filter(pk__in=ids).aggregate(
            subsidy=Sum("campaign__face_value"), bills=Sum("bill_amount"), n=Count("pk"))
        try:
            statement = SettlementStatement.objects.create(
                merchant=merchant, period_start=period_start, period_end=period_end,
                voucher_count=totals["n"], subsidy_total=totals["subsidy"] or 0,
                bill_total=totals["bills"] or 0, created_by=actor)
        except IntegrityError:
            raise ServiceError("statement_exists", "该商户该时段的结算单已生成") from None
        Voucher.objects.filter(pk__in=ids).update(statement=statement)
    return statement


def statements_generate_all(*, actor, period_start: date, period_end: date,
                            today: date | None = None) -> list:
    merchants = Merchant.objects.filter(
        redeemed_vouchers__statement__isnull=True, redeemed_vouchers__status="redeemed",
    ).distinct()
    made = []
    for merchant in merchants:
        try:
            made.append(statement_generate(actor=actor, merchant=merchant,
                                           period_start=period_start, period_end=period_end,
                                           today=today))
        except ServiceError as exc:
            if exc.code not in ("nothing_to_settle", "statement_exists"):
                raise
    return made
