"""Each category's own fields: what a post carries beyond title and text, and their checks.

A category's code picks its schema (the operators' ``Category`` rows set names, review mode,
expiry and whether the category is open). Values are validated here and stored in
``Post.fields``; the one a list is filtered and sorted by (the price, the rent, the lowest
salary) is copied to ``Post.price``, the floor area to ``Post.area``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rongmei.core.errors import ServiceError

MAX_MONEY = Decimal(1000000000)  # 10 亿元: more is a typo, not a price


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | int | money | choice
    required: bool = True
    max_length: int = 40
    minimum: Decimal | int = 0
    maximum: Decimal | int = MAX_MONEY
    unit: str = ""
    choices: tuple[str, ...] = ()


AREA = Field("area", "面积", "money", unit="平方米", minimum=Decimal(1), maximum=Decimal(100000))
LAYOUT = Field("layout", "户型", max_length=20)
FLOOR = Field("floor", "楼层", max_length=20, required=False)
COMMUNITY = Field("community", "小区", max_length=40)

SCHEMAS: dict[str, tuple[Field, ...]] = {
    "house_sale": (AREA, LAYOUT, Field("price", "售价", "money", unit="元",
                                        minimum=Decimal(1)), FLOOR, COMMUNITY),
    "house_rent": (AREA, LAYOUT, Field("price", "月租金", "money", unit="元/月",
                                        minimum=Decimal(1)), FLOOR, COMMUNITY),
    "secondhand": (Field("item", "物品名称", max_length=30),
                   Field("condition", "成色", "choice",
                         choices=("全新", "九成新", "八成新", "七成新及以下")),
                   Field("price", "价格", "money", unit="元")),
    "shop_transfer": (AREA, Field("rent", "月租金", "money", unit="元/月"),
                      Field("transfer_fee", "转让费", "money", unit="元"),
                      Field("address", "位置", max_length=60, required=False)),
    "job": (Field("position", "职位", max_length=30),
            Field("salary_min", "最低月薪", "money", unit="元/月"),
            Field("salary_max", "最高月薪", "money", unit="元/月"),
            Field("headcount", "招聘人数", "int", unit="人", minimum=1, maximum=10000),
            Field("requirements", "任职要求", max_length=300, required=False),
            Field("employer", "招聘单位", max_length=40)),
    "job_wanted": (Field("position", "期望职位", max_length=30),
                   Field("experience", "工作经验", "int", unit="年", minimum=0, maximum=60)),
}
# The field copied to Post.price for filtering and sorting, per schema.
PRICE_FIELD = {"house_sale": "price", "house_rent": "price", "secondhand": "price",
               "shop_transfer": "rent", "job": "salary_min"}
# What closing a post says (已成交 / 已招满 / 已找到).
CLOSED_LABEL = {"job": "已招满", "job_wanted": "已找到工作"}
DEFAULT_CLOSED_LABEL = "已成交"
# Text fields that become public pass the word gate with the title and the body.
TEXT_KINDS = ("text",)


_PLAIN_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def _number(field: Field, raw) -> Decimal:
    # Full-width digits (１２００) are what a phone keyboard may type: read as ASCII. Only
    # plain decimals are numbers here — not "-0", "1e3", "NaN" or other scripts' digits,
    # which Decimal would take.
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
    if text.startswith("-"):
        raise ServiceError("invalid_field", f"{field.label}不能为负数", field=field.name)
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ServiceError("invalid_field", f"{field.label}应为数字", field=field.name)
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_field", f"{field.label}应为数字", field=field.name) from None
    if value < 0:
        raise ServiceError("invalid_field", f"{field.label}不能为负数", field=field.name)
    if field.kind == "int" and value != value.to_integral_value():
        raise ServiceError("invalid_field", f"{field.label}应为整数", field=field.name)
    if value < field.minimum:
        raise ServiceError("invalid_field", f"{field.label}不能小于{field.minimum}{field.unit}",
                           field=field.name)
    if value > field.maximum:
        raise ServiceError("invalid_field", f"{field.label}不能超过{field.maximum}{field.unit}",
                           field=field.name)
    if field.kind == "money":
        value = value.quantize(Decimal("0.01"))
    return value


def clean_fields(schema: str, values: dict) -> dict:
    """The category's fields, checked and normalised (numbers as strings), or ServiceError
    naming the first bad field in Chinese. Unknown keys are dropped."""
    from rongmei.core.text import typed_text

    cleaned: dict[str, str] = {}
    for field in SCHEMAS[schema]:
        raw = values.get(field.name)
        if raw is None or str(raw).strip() == "":
            if field.required:
                raise ServiceError("required", f"请填写{field.label}", field=field.name)
            continue
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            # JSON true is not 1, and a list or object is not a value (review findings)
            raise ServiceError("invalid_field", f"{field.label}应为数字或文字",
                               field=field.name)
        if field.kind in ("int", "money"):
            value = _number(field, raw)
            cleaned[field.name] = str(int(value)) if field.kind == "int" else str(value)
        elif field.kind == "choice":
            if str(raw) not in field.choices:
                raise ServiceError("invalid_field", f"{field.label}只能选择："
                                   + "、".join(field.choices), field=field.name)
            cleaned[field.name] = str(raw)
        else:
            text = typed_text(str(raw), max_length=field.max_length + 1)
            if len(text) > field.max_length:
                raise ServiceError("too_long", f"{field.label}最多{field.max_length}个字",
                                   field=field.name)
            if field.required and not text:
                raise ServiceError("required", f"请填写{field.label}", field=field.name)
            cleaned[field.name] = text
    if schema == "job" and Decimal(cleaned["salary_max"]) < Decimal(cleaned["salary_min"]):
        raise ServiceError("invalid_field", "最高月薪不能低于最低月薪", field="salary_max")
    return cleaned


def display(schema: str, values: dict) -> list[tuple[str, str]]:
    """(label, value with unit) for each filled field, in schema order."""
    rows = []
    for field in SCHEMAS.get(schema, ()):
        value = values.get(field.name)
        if value in (None, ""):
            continue
        if field.kind == "money":
            number = Decimal(value)
            value = f"{number:.2f}".rstrip("0").rstrip(".")
        rows.append((field.label, f"{value}{field.unit if field.kind != 'text' else ''}"))
    return rows
