"""Figures other modules contribute, without 数据 importing them.

A module that has something to count registers a Wagtail hook in its ``wagtail_hooks.py``::

    @hooks.register("rongmei_analytics_measures")
    def analytics_measures(start, end):      # dates, both inclusive, county-local
        return [
            {"code": "wenzheng_closed", "label": "问政办结", "value": 12, "unit": "件",
             "group": "问政"},
            {"code": "news_by_channel", "title": "各栏目发稿量", "group": "内容",
             "columns": ["栏目", "稿件"], "rows": [["要闻", 31], ...]},
        ]

Plain dicts, so the contributing module imports nothing from here: a dict with ``rows`` is a
table, any other a measure. A module that is switched off has no hooks loaded, so its figures
simply are absent (shown as 无数据, and 0 in the index). A hook that fails is logged and
skipped: one module's bug never blanks the director's dashboard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from wagtail import hooks

logger = logging.getLogger("rongmei.analytics")
HOOK = "rongmei_analytics_measures"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    value: float
    unit: str = ""
    group: str = "其他"


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    columns: list[str]
    rows: list[list]
    group: str = "其他"


@dataclass
class Contributions:
    measures: list[Measure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def values(self) -> dict[str, float]:
        return {m.code: m.value for m in self.measures}

    def groups(self) -> dict[str, list[Measure]]:
        grouped: dict[str, list[Measure]] = {}
        for measure in self.measures:
            grouped.setdefault(measure.group, []).append(measure)
        return grouped

    def table(self, code: str) -> Table | None:
        return next((t for t in self.tables if t.code == code), None)


def contributions(start: date, end: date) -> Contributions:
    found = Contributions()
    for fn in hooks.get_hooks(HOOK):
        try:
            items = fn(start, end) or []
        except Exception:
            logger.exception("analytics measures hook %s failed", getattr(fn, "__module__", fn))
            continue
        for item in items:
            if "rows" in item:
                found.tables.append(Table(item["code"], item["title"], list(item["columns"]),
                                          [list(row) for row in item["rows"]],
                                          item.get("group", "其他")))
            else:
                found.measures.append(Measure(item["code"], item["label"], item["value"],
                                              item.get("unit", ""), item.get("group", "其他")))
    return found
