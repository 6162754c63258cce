"""The dashboard as tables: every chart on the console has its table here, and every table
is what the page shows (accessible HTML) and what 导出Excel downloads — one source for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import selectors
from .measures import contributions


@dataclass
class DataTable:
    code: str
    title: str
    columns: list[str]
    rows: list[list]
    group: str = ""
    note: str = ""


@dataclass
class Dashboard:
    period: selectors.Period
    users: selectors.UserSummary
    tables: list[DataTable] = field(default_factory=list)
    measure_groups: dict = field(default_factory=dict)
    chart_data: dict = field(default_factory=dict)

    def table(self, code: str) -> DataTable | None:
        return next((t for t in self.tables if t.code == code), None)

    def group(self, name: str) -> list[DataTable]:
        return [t for t in self.tables if t.group == name]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def build(period: selectors.Period, *, today: date | None = None) -> Dashboard:
    users = selectors.user_summary(period)
    cohorts = selectors.retention_cohorts(period, today=today)
    codes = selectors.channel_code_rows(period, today=today)
    channels = selectors.views_by_channel(period)
    stories = selectors.top_stories(period)
    found = contributions(period.start, period.end)
    board = Dashboard(period, users, measure_groups=found.groups())
    add = board.tables.append
    add(DataTable("users_daily", "每日活跃、新增与安装", ["日期", "日活（设备）", "新增（设备）", "安装到桌面"],
                  [[r["day"].isoformat(), r["dau"], r["new"], r["installs"]] for r in users.series],
                  group="users"))
    add(DataTable("retention", "留存（按首次使用日分组）",
                  ["首次使用日", "新增设备", "次日留存", "7日留存", "30日留存"],
                  [[c.day.isoformat(), c.size, *(percent(c.rate(n)) for n in
                                                 selectors.RETENTION_DAYS)]
                   for c in cohorts], group="users",
                  note="第N日留存：首次使用后恰好第N天再次使用的设备占比；未满N天显示“—”。"))
    add(DataTable("channel_codes", "渠道码推广效果",
                  ["渠道码", "名称", "推广类型", "单位", "活动日期", "新增用户", "活跃用户",
                   "安装到桌面", "7日留存"],
                  [[r.code.code, r.code.name, r.code.get_kind_display(),
                    r.code.unit.name if r.code.unit_id else "", 
                    r.code.event_day.isoformat() if r.code.event_day else "",
                    r.new_devices, r.active_devices, r.installs, percent(r.day7_rate)]
                   for r in codes], group="codes",
                  note="新增用户：期间内首次通过该码进入的设备；7日留存只计已满7天的新增用户。"))
    add(DataTable("units", "各单位带来的新增用户（按渠道码所属单位）", ["单位", "新增用户"],
                  [list(item) for item in selectors.new_devices_by_unit(codes)], group="codes"))
    add(DataTable("channels", "各栏目浏览", ["栏目", "浏览量", "读者（按日去重合计）"],
                  [[r["channel"], r["views"], r["readers"]] for r in channels], group="content"))
    add(DataTable("top_stories", "热门稿件（前20）",
                  ["稿件", "浏览量", "读者（按日去重合计）", "阅读时长（分钟）", "分享"],
                  [[r["title"], r["views"], r["readers"], r["minutes"], r["shares"]]
                   for r in stories], group="content"))
    for table in found.tables:
        group = "content" if table.group == "内容" else "services"
        add(DataTable(table.code, table.title, table.columns, table.rows, group=group))
    add(DataTable("measures", "服务与治理指标",
                  ["类别", "指标", "数值", "单位"],
                  [[m.group, m.label, m.value, m.unit] for m in found.measures],
                  group="services"))
    board.chart_data = {
        "days": [r["day"].isoformat() for r in users.series],
        "dau": [r["dau"] for r in users.series],
        "new": [r["new"] for r in users.series],
        "installs": [r["installs"] for r in users.series],
        "cohorts": {"days": [c.day.isoformat() for c in cohorts],
                    **{f"d{n}": [None if c.rate(n) is None else round(c.rate(n) * 100, 1)
                                 for c in cohorts] for n in selectors.RETENTION_DAYS}},
        "codes": {"labels": [r.code.name for r in codes[:15]],
                  "new": [r.new_devices for r in codes[:15]],
                  "active": [r.active_devices for r in codes[:15]]},
        "channels": {"labels": [r["channel"] for r in channels],
                     "views": [r["views"] for r in channels]},
        "stories": {"labels": [r["title"][:18] for r in stories[:10]],
                    "views": [r["views"] for r in stories[:10]]},
    }
    return board
