"""Validation of mainland mobile numbers and resident ID-card numbers (GB 11643-1999)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_phone(raw: str | None) -> str:
    """Accept '138 0013 8000', '+86 13800138000', '86-138...' and return 11 digits.

    Raises ValidationError (Chinese message) if it is not a mainland mobile number.
    """
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE.match(digits):
        raise ValidationError("请输入正确的11位手机号码", code="invalid_phone")
    return digits


def validate_mainland_mobile(value: str) -> None:
    if not _MOBILE.match(value or ""):
        raise ValidationError("请输入正确的11位手机号码", code="invalid_phone")


def normalize_id_number(raw: str | None) -> str:
    """Return an upper-cased 18-digit ID number after checking its date and check digit."""
    number = (raw or "").strip().upper()
    if not _ID.match(number):
        raise ValidationError("身份证号码应为18位，最后一位可以是数字或X", code="invalid_id_number")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效", code="invalid_id_number") from None
    if born > date.today() or born.year < 1900:
        raise ValidationError("身份证号码中的出生日期无效", code="invalid_id_number")
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对", code="invalid_id_number")
    return number


def validate_chinese_name(value: str) -> str:
    name = (value or "").strip()
    if not re.fullmatch(r"[\u4e00-\u9fff·]{2,20}", name):
        raise ValidationError("请填写身份证上的中文姓名", code="invalid_name")
    return name
