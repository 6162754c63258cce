"""数据: first-party events, the daily tables built from them, 渠道码, and the province's reports.

Raw ``Event`` rows are written only by the aggregation timer, in bulk, from the buffer the
beacon appends to (Redis or files; ``buffer.py``) — never one row per hit. They are kept for
``ANALYTICS_RAW_RETENTION_DAYS`` and then dropped; everything else here is an aggregate that
stays: ``Device`` (first and last day, 渠道码 of the first visit), ``DeviceDay`` (who was
active when: DAU/WAU/MAU and retention), ``DailyCount`` (events, devices and seconds per day,
event name, channel, story and 渠道码).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class EventName(models.TextChoices):
    APP_OPEN = "app_open", "打开应用"
    PAGE_VIEW = "page_view", "浏览页面"
    READ_TIME = "read_time", "阅读时长"
    WATCH_TIME = "watch_time", "观看时长"
    SHARE = "share", "分享"
    SEARCH = "search", "搜索"
    INSTALL = "install", "安装到桌面"
    PUSH_OPEN = "push_open", "打开推送"


class IngestBatch(models.Model):
    """One chunk of the buffer moved into ``Event``. Its unique key makes a retried move a
    no-op; ``aggregated`` says whether the daily tables were rebuilt after it."""

    key = models.CharField(max_length=120, unique=True)
    events = models.PositiveIntegerField(default=0)
    days = models.JSONField(default=list)  # ISO dates the chunk's events fall on
    aggregated = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Event(models.Model):
    """A raw event as the beacon sent it, with the server's receive time (never the client's
    clock). Dropped after the retention period."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()
    day = models.DateField(db_index=True)  # the county's (Asia/Shanghai) day of received_at
    name = models.CharField(max_length=16, choices=EventName.choices)
    device = models.CharField(max_length=64)
    user_id = models.BigIntegerField(null=True, blank=True)  # no FK: erasure never cascades here
    channel = models.CharField(max_length=40, blank=True)
    page_id = models.BigIntegerField(null=True, blank=True)
    value = models.PositiveIntegerField(default=0)  # seconds for read/watch time
    code = models.CharField(max_length=32, blank=True)  # 渠道码 the device arrived by

    class Meta:
        indexes = [models.Index(fields=["day", "device"])]


class Device(models.Model):
    """One anonymous device id (made by the beacon, kept in the browser). Its first day is
    when it became a new user; ``code`` the 渠道码 it first arrived by."""

    device = models.CharField(max_length=64, unique=True)
    first_day = models.DateField(db_index=True)
    last_day = models.DateField()
    user_id = models.BigIntegerField(null=True, blank=True)
    code = models.CharField(max_length=32, blank=True, db_index=True)
    installed_on = models.DateField(null=True, blank=True)


class DeviceDay(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "device"],
                                               name="analytics_device_day_unique")]
        indexes = [models.Index(fields=["device", "day"])]


class DailyCount(models.Model):
    """Events of one day grouped by (name, channel, story, 渠道码): rebuilt whole from the raw
    events of the day at every aggregation that touched it, so it always equals them."""

    day = models.DateField()
    name = models.CharField(max_length=16, choices=EventName.choices)
    channel = models.CharField(max_length=40, blank=True)
    page_id = models.BigIntegerField(null=True, blank=True)
    code = models.CharField(max_length=32, blank=True)
    events = models.PositiveIntegerField()
    devices = models.PositiveIntegerField()
    seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "name"]), models.Index(fields=["page_id", "day"])]


class CampaignKind(models.TextChoices):
    AGENCIES = "agencies", "进机关"
    SCHOOLS = "schools", "进学校"
    VILLAGES = "villages", "进农村"
    PARKS = "parks", "进园区"
    ASSOCIATIONS = "associations", "进协会"
    COMMUNITIES = "communities", "进社区"
    EVENT_DAY = "event_day", "活动日"
    OTHER = "other", "其他"


code_validator = RegexValidator(r"^[A-Za-z0-9_-]{2,32}$",
                                "渠道码只能由2到32位字母、数字、下划线或短横线组成")


class ChannelCode(models.Model):
    """渠道码: a QR for one campaign, unit or event day. New devices arriving through it,
    their installs and their day-7 retention are attributed to it."""

    code = models.CharField("渠道码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("推广类型", max_length=16, choices=CampaignKind.choices,
                            default=CampaignKind.OTHER)
    unit = models.ForeignKey("units.Unit", verbose_name="单位", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    event_day = models.DateField("活动日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "渠道码"
        verbose_name_plural = "渠道码"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ReportingCounty(models.Model):
    """A county whose signed monthly reports this installation accepts (the provincial side):
    its code and the Ed25519 public key its reports must verify against."""

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("县名", max_length=40)
    public_key = models.CharField("公钥（Base64）", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "报送县"
        verbose_name_plural = "报送县"
        ordering = ["code"]

    def __str__(self):
        return self.name


class ProvincialReport(models.Model):
    """One county's verified monthly report, as received (the signed document kept whole)."""

    county = models.ForeignKey(ReportingCounty, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField()  # the first day of the month
    measures = models.JSONField()
    population = models.PositiveIntegerField(default=0)
    document = models.JSONField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "month"],
                                               name="analytics_report_county_month")]


@register_setting(icon="table")
class AnalyticsSettings(BaseGenericSetting):
    """What operators set for the figures: the county's population (for 覆盖率) and its code
    in the provincial reports."""

    county_code = models.CharField("行政区划代码", max_length=12, blank=True,
                                   help_text="报送省级平台时使用，例如 360000")
    population = models.PositiveIntegerField("常住人口", default=0,
                                             help_text="用于计算用户占全县人口的比例")

    class Meta:
        verbose_name = "数据统计设置"
