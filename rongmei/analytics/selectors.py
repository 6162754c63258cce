"""Reads for the director's dashboard, the 大屏 and the reports — all from the daily tables
(never the raw events), each a handful of grouped queries whatever the period's length.

"Users" here are devices (the beacon's anonymous id): a resident who never signs in is still
a reader. Registered accounts are shown beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, DateField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from . import index as county_index
from .measures import Contributions, contributions
from .models import (
    AnalyticsSettings,
    ChannelCode,
    DailyCount,
    Device,
    DeviceDay,
    EventName,
    ProvincialReport,
    ReportingCounty,
)

RETENTION_DAYS = (1, 7, 30)
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    @classmethod
    def parse(cls, start: str | None, end: str | None, *, today: date | None = None,
              default_days: int = 30) -> Period:
        """From the date-range picker; bad or missing values fall back to the last 30 days,
        and the range is clamped to a year ending no later than today."""
        today = today or timezone.localdate()
        try:
            end_day = date.fromisoformat(end) if end else today
        except ValueError:
            end_day = today
        end_day = min(end_day, today)
        try:
            start_day = date.fromisoformat(start) if start else None
        except ValueError:
            start_day = None
        if start_day is None or start_day > end_day:
            start_day = end_day - timedelta(days=default_days - 1)
        start_day = max(start_day, end_day - timedelta(days=MAX_PERIOD_DAYS - 1))
        return cls(start_day, end_day)

    @classmethod
    def month(cls, month: date) -> Period:
        first = month.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))


def population() -> int:
    return AnalyticsSettings.load().population


def active_devices(start: date, end: date) -> int:
    return (DeviceDay.objects.filter(day__range=(start, end)).values("device_id").distinct()
            .count())


@dataclass
class UserSummary:
    accounts: int
    new_accounts: int
    devices: int
    new_devices: int
    installs: int
    dau: int
    wau: int
    mau: int
    population: int
    series: list[dict] = field(default_factory=list)  # per day: day, dau, new, installs

    @property
    def mau_share(self) -> float | None:
        return self.mau / self.population if self.population else None


def user_summary(period: Period) -> UserSummary:
    end = period.end
    accounts = get_user_model().objects.filter(is_active=True)
    dau = dict(DeviceDay.objects.filter(day__range=(period.start, end)).values("day")
               .annotate(n=Count("pk")).values_list("day", "n"))
    new = dict(Device.objects.filter(first_day__range=(period.start, end)).values("first_day")
               .annotate(n=Count("pk")).values_list("first_day", "n"))
    installs = dict(Device.objects.filter(installed_on__range=(period.start, end))
                    .values("installed_on").annotate(n=Count("pk"))
                    .values_list("installed_on", "n"))
    return UserSummary(
        accounts=accounts.count(),
        new_accounts=accounts.filter(date_joined__date__range=(period.start, end)).count(),
        devices=Device.objects.count(),
        new_devices=sum(new.values()),
        installs=sum(installs.values()),
        dau=dau.get(end, 0),
        wau=active_devices(end - timedelta(days=6), end),
        mau=active_devices(end - timedelta(days=29), end),
        population=population(),
        series=[{"day": day, "dau": dau.get(day, 0), "new": new.get(day, 0),
                 "installs": installs.get(day, 0)} for day in period.dates()],
    )


def _returned(devices, offset: int):
    """DeviceDay rows of ``devices`` exactly ``offset`` days after their first day."""
    later = ExpressionWrapper(F("device__first_day") + timedelta(days=offset),
                              output_field=DateField())
    return DeviceDay.objects.filter(device__in=devices).alias(target=later).filter(day=F("target"))


@dataclass(frozen=True)
class Cohort:
    day: date
    size: int
    retained: dict[int, int | None]  # offset → devices back that day (None: not yet)

    def rate(self, offset: int) -> float | None:
        kept = self.retained.get(offset)
        return None if kept is None or not self.size else kept / self.size


def retention_cohorts(period: Period, *, today: date | None = None) -> list[Cohort]:
    """New devices per first day, and how many came back exactly 1, 7 and 30 days later.
    A cohort's day-N figure is None until day N has passed completely."""
    today = today or timezone.localdate()
    cohort_devices = Device.objects.filter(first_day__range=(period.start, period.end))
    sizes = dict(cohort_devices.values("first_day").annotate(n=Count("pk"))
                 .values_list("first_day", "n"))
    back = {offset: dict(_returned(cohort_devices, offset).values("device__first_day")
                         .annotate(n=Count("pk")).values_list("device__first_day", "n"))
            for offset in RETENTION_DAYS}
    return [Cohort(day, sizes[day],
                   {offset: (back[offset].get(day, 0) if day + timedelta(days=offset) < today
                             else None) for offset in RETENTION_DAYS})
            for day in sorted(sizes)]


@dataclass
class CodeRow:
    code: ChannelCode
    new_devices: int
    active_devices: int
    installs: int
    day7_retained: int | None
    day7_base: int
    link: str = ""  # the QR's address, filled by the console
    qr: str = ""

    @property
    def day7_rate(self) -> float | None:
        if self.day7_retained is None or not self.day7_base:
            return None
        return self.day7_retained / self.day7_base


def channel_code_rows(period: Period, *, today: date | None = None) -> list[CodeRow]:
    """Per 渠道码: devices that arrived by it in the period, those active in it, their
    installs, and day-7 retention of the arrivals whose seventh day has passed."""
    today = today or timezone.localdate()
    codes = list(ChannelCode.objects.select_related("unit").order_by("-created_at"))
    arrivals = Device.objects.filter(first_day__range=(period.start, period.end), code__gt="")
    new = dict(arrivals.values("code").annotate(n=Count("pk")).values_list("code", "n"))
    installs = dict(Device.objects.filter(installed_on__range=(period.start, period.end),
                                          code__gt="")
                    .values("code").annotate(n=Count("pk")).values_list("code", "n"))
    active = dict(DeviceDay.objects.filter(day__range=(period.start, period.end),
                                           device__code__gt="")
                  .values("device__code").annotate(n=Count("device_id", distinct=True))
                  .values_list("device__code", "n"))
    matured = arrivals.filter(first_day__lt=today - timedelta(days=7))
    base = dict(matured.values("code").annotate(n=Count("pk")).values_list("code", "n"))
    kept = dict(_returned(matured, 7).values("device__code").annotate(n=Count("pk"))
                .values_list("device__code", "n"))
    return [CodeRow(c, new.get(c.code, 0), active.get(c.code, 0), installs.get(c.code, 0),
                    kept.get(c.code, 0) if base.get(c.code) else None, base.get(c.code, 0))
            for c in codes]


def new_devices_by_unit(rows: list[CodeRow]) -> list[tuple[str, int]]:
    """Where known: the unit (township, school …) of the 渠道码 new devices came by."""
    totals: dict[str, int] = {}
    for row in rows:
        if row.code.unit_id:
            totals[row.code.unit.name] = totals.get(row.code.unit.name, 0) + row.new_devices
    return sorted(totals.items(), key=lambda item: -item[1])


def event_totals(period: Period) -> dict[str, dict]:
    """name → {events, devices (summed over days), seconds} for the period."""
    rows = (DailyCount.objects.filter(day__range=(period.start, period.end)).values("name")
            .annotate(events=Sum("events"), seconds=Sum("seconds")))
    return {row["name"]: row for row in rows}


def views_by_channel(period: Period) -> list[dict]:
    return list(DailyCount.objects.filter(day__range=(period.start, period.end),
                                          name=EventName.PAGE_VIEW)
                .exclude(channel="").values("channel")
                .annotate(views=Sum("events"), readers=Sum("devices")).order_by("-views")[:30])


def top_stories(period: Period, *, limit: int = 20) -> list[dict]:
    """Stories by page views, with readers (distinct per day, summed), read time and shares;
    titles of published pages from Wagtail's page table (one query)."""
    from wagtail.models import Page

    rows = (DailyCount.objects.filter(day__range=(period.start, period.end),
                                      page_id__isnull=False)
            .values("page_id")
            .annotate(views=Sum("events", filter=Q(name=EventName.PAGE_VIEW)),
                      readers=Sum("devices", filter=Q(name=EventName.PAGE_VIEW)),
                      seconds=Sum("seconds", filter=Q(name__in=[EventName.READ_TIME,
                                                               EventName.WATCH_TIME])),
                      shares=Sum("events", filter=Q(name=EventName.SHARE)))
            .filter(views__gt=0).order_by("-views", "page_id")[:limit])
    rows = list(rows)
    # Only published pages lend their titles: the page id in an event is the sender's
    # word, and a draft's or a withdrawn story's title must not reach the dashboard or the
    # wall display (大屏).
    titles = dict(Page.objects.filter(pk__in=[r["page_id"] for r in rows], live=True)
                  .values_list("pk", "title"))
    for row in rows:
        row["title"] = titles.get(row["page_id"], f"页面 {row['page_id']}（未发布或已删除）")
        row["minutes"] = round((row["seconds"] or 0) / 60, 1)
        row["shares"] = row["shares"] or 0
    return rows


def county_measures(period: Period, found: Contributions | None = None) -> dict[str, float]:
    """The named measures of the index and the provincial report, for a period."""
    found = found or contributions(period.start, period.end)
    totals = event_totals(period)

    def events(name):
        return int(totals.get(name, {}).get("events") or 0)

    seconds = sum(int(totals.get(n, {}).get("seconds") or 0)
                  for n in (EventName.READ_TIME, EventName.WATCH_TIME))
    people = population()
    mau = active_devices(period.end - timedelta(days=29), period.end)
    values = {
        "page_views": events(EventName.PAGE_VIEW),
        "read_hours": round(seconds / 3600, 1),
        "shares": events(EventName.SHARE),
        "searches": events(EventName.SEARCH),
        "push_opens": events(EventName.PUSH_OPEN),
        "new_users": Device.objects.filter(first_day__range=(period.start, period.end)).count(),
        "installs": Device.objects.filter(installed_on__range=(period.start, period.end)).count(),
        "mau": mau,
        "mau_per_mille": round(mau * 1000 / people, 1) if people else 0,
    }
    contributed = found.values()
    for code in county_index.MEASURES:
        if code not in values:
            values[code] = contributed.get(code, 0)
    return values


@dataclass(frozen=True)
class RankRow:
    name: str
    code: str
    total: float
    blocks: list
    own: bool
    population: int


def ranking(month: date) -> list[RankRow]:
    """This county and every imported report of ``month``, by index, highest first."""
    period = Period.month(month)
    config = AnalyticsSettings.load()
    own = county_index.compute(county_measures(period), days=period.days)
    rows = [RankRow(settings.RONGMEI_COUNTY_NAME, config.county_code,
                    own.total, own.blocks, True, config.population)]
    reports = ProvincialReport.objects.filter(month=period.start).select_related("county")
    for report in reports:
        if report.county.code == config.county_code and config.county_code:
            continue
        result = county_index.compute(report.measures, days=period.days)
        rows.append(RankRow(report.county.name, report.county.code, result.total,
                            result.blocks, False, report.population))
    return sorted(rows, key=lambda row: -row.total)


def reporting_counties():
    return ReportingCounty.objects.annotate(n=Count("reports")).order_by("code")
