"""Excel exports of settlement statements (结算单), amounts in yuan."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from rongmei.core.excel import XLSX, workbook_bytes  # noqa: F401 - views use XLSX

from .models import SettlementStatement
from .money import yuan_decimal

VOUCHER_COLUMNS = ("券号", "活动", "核销时间", "消费金额（元）", "抵扣金额（元）")
STATEMENT_COLUMNS = ("类型", "商户", "统一社会信用代码", "结算开始日", "结算结束日", "核销张数",
                     "抵扣金额合计（元）", "财政应付（元）", "带动消费（元）", "生成人", "生成时间")


def _local(moment: datetime | None):
    # Excel has no time zones: write the county's wall-clock time.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def statement_workbook(statement: SettlementStatement) -> bytes:
    """One statement: who, which period, the totals, then one row per redeemed voucher."""
    merchant = statement.merchant
    preamble = [
        (statement.kind_label,),
        ("商户", merchant.name),
        ("统一社会信用代码", merchant.credit_code),
        ("结算期", f"{statement.period_start:%Y-%m-%d} 至 {statement.period_end:%Y-%m-%d}"),
        ("核销张数", statement.voucher_count),
        ("抵扣金额合计（元）", yuan_decimal(statement.subsidy_total)),
        ("财政应付（元）", yuan_decimal(statement.government_owes)),
        ("带动消费（元）", yuan_decimal(statement.bill_total)),
        ("生成时间", _local(statement.created_at)),
    ]
    vouchers = (statement.vouchers.select_related("campaign")
                .order_by("redeemed_at", "pk").iterator(chunk_size=2000))
    rows = ((v.code, v.campaign.title, _local(v.redeemed_at), yuan_decimal(v.bill_amount),
             yuan_decimal(v.discount)) for v in vouchers)
    return workbook_bytes("结算单", VOUCHER_COLUMNS, rows, preamble=preamble,
                          money_columns=(3, 4), time_columns=(2,))


def statements_workbook(statements) -> bytes:
    """The statements list as shown (filters applied), one row per statement."""
    rows = ((s.kind_label, s.merchant.name, s.merchant.credit_code, s.period_start,
             s.period_end, s.voucher_count, yuan_decimal(s.subsidy_total),
             yuan_decimal(s.government_owes), yuan_decimal(s.bill_total),
             s.created_by.get_full_name(), _local(s.created_at))
            for s in statements.select_related("merchant", "created_by"))
    return workbook_bytes("结算单列表", STATEMENT_COLUMNS, rows, money_columns=(6, 7, 8),
                          time_columns=(10,))
