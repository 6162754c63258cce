"""The county-app index (县融APP指数): four blocks of named measures on a log scale.

For a period of ``days`` days, each measure *m* with value *x* and monthly reference *R*
(``ANALYTICS_INDEX[block]["refs"][m]``; additive measures' references are scaled to the
period, R·days/30) scores

    s(m) = 100 × min(1, ln(1 + x) / ln(1 + R))

A block is the mean of its measures' scores; the index is the weighted mean of the blocks
(weights ``ANALYTICS_INDEX[block]["weight"]``, normalised to sum 1). The log scale rewards
the first thousand readers more than the millionth, so a small county is not drowned by a
large one, and no single measure can carry the index (each stops at 100). Every input, its
reference and its score are returned, so the page can show why a rank moved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings

BLOCK_LABELS = {"reach": "传播力", "service": "服务力", "interaction": "互动力",
                "growth": "增长力"}

# code → (label, unit, additive). Non-additive measures (a share) are not scaled by period.
MEASURES = {
    "page_views": ("页面浏览量", "次", True),
    "read_hours": ("阅读与观看时长", "小时", True),
    "shares": ("分享次数", "次", True),
    "wenzheng_closed": ("问政办结", "件", True),
    "vouchers_redeemed": ("消费券核销", "张", True),
    "mall_orders": ("商城订单", "笔", True),
    "points_issued": ("发放积分", "分", True),
    "comments": ("评论数", "条", True),
    "searches": ("搜索次数", "次", True),
    "push_opens": ("推送打开", "次", True),
    "new_users": ("新增用户", "人", True),
    "installs": ("安装到桌面", "次", True),
    "mau_per_mille": ("月活占人口", "‰", False),
}


@dataclass(frozen=True)
class Input:
    code: str
    label: str
    unit: str
    value: float
    ref: float
    score: float


@dataclass(frozen=True)
class Block:
    code: str
    label: str
    weight: float  # normalised
    score: float
    inputs: list[Input]


@dataclass(frozen=True)
class IndexResult:
    total: float
    blocks: list[Block]
    days: int


def measure_score(value: float, ref: float) -> float:
    if ref <= 0:
        return 0.0
    return 100.0 * min(1.0, math.log1p(max(0.0, value)) / math.log1p(ref))


def compute(values: dict[str, float], *, days: int = 30, config: dict | None = None) -> IndexResult:
    config = config or settings.ANALYTICS_INDEX
    total_weight = sum(block["weight"] for block in config.values()) or 1.0
    blocks = []
    for code, block in config.items():
        inputs = []
        for measure, monthly_ref in block["refs"].items():
            label, unit, additive = MEASURES.get(measure, (measure, "", True))
            ref = monthly_ref * days / 30 if additive else monthly_ref
            value = float(values.get(measure) or 0)
            inputs.append(Input(measure, label, unit, value, ref, measure_score(value, ref)))
        score = sum(i.score for i in inputs) / len(inputs) if inputs else 0.0
        blocks.append(Block(code, BLOCK_LABELS.get(code, code), block["weight"] / total_weight,
                            score, inputs))
    return IndexResult(sum(b.weight * b.score for b in blocks), blocks, days)
