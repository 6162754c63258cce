"""Amounts people type in yuan, kept in fen (分). Decimal throughout, never float."""

from __future__ import annotations

import re
from decimal import Decimal

from .models import yuan

_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
# The largest amount anyone types (a bill at the till, a face value): 1,000,000 元 in 分.
MAX_AMOUNT_FEN = 100_000_000


class AmountError(ValueError):
    """The typed amount is not acceptable; ``message`` is for people (Chinese)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_yuan(text: str, *, allow_zero: bool = False, max_fen: int = MAX_AMOUNT_FEN) -> int:
    """"20" → 2000, "15.5" → 1550, "15.50元" → 1550; raises AmountError otherwise."""
    text = (text or "").strip().removesuffix("元").strip()
    if text.startswith("-"):
        raise AmountError("negative", "金额不能为负数")
    if not _AMOUNT.match(text):
        raise AmountError("invalid", "请输入正确的金额（元），如 20 或 15.5")
    amount = Decimal(text)
    if amount != amount.quantize(Decimal("0.01")):
        raise AmountError("precision", "金额最多精确到分（两位小数）")
    fen = int(amount * 100)
    if fen > max_fen:
        raise AmountError("too_large", f"金额不能超过{yuan(max_fen)}元")
    if fen == 0 and not allow_zero:
        raise AmountError("zero", "金额须大于0元")
    return fen


def yuan_decimal(fen: int | None) -> Decimal:
    """Fen as a Decimal number of yuan (for spreadsheets): 1550 → Decimal('15.50')."""
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


def discount(*, face_value: int, bill: int) -> int:
    """What a voucher takes off a bill (fen): its face value, but never more than the bill.

    The one settlement rule: the till shows it, the redemption stores it
    (``Voucher.discount``), statements and the dashboard add up the stored figures. A 20 元
    voucher on a 5 元 bill takes off 5 元, the customer pays 0, and the funder pays 5 元.
    """
    return min(int(face_value), int(bill))
