"""节假日安排: the State Council's holidays and make-up working days (调休), entered per year
by operators (by hand or from Excel). A year entered here replaces the ``chinese_calendar``
package's data for that year; years in neither count Monday to Friday (see ``workdays``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class HolidaySchedule(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="录入人")
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        app_label = "wenzheng"
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class HolidayDay(models.Model):
    """A day that differs from Monday-to-Friday: a weekday off, or a weekend day at work."""

    schedule = models.ForeignKey(HolidaySchedule, on_delete=models.CASCADE, related_name="days",
                                 verbose_name="节假日安排")
    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=DayKind.choices)
    name = models.CharField("节日", max_length=20, blank=True)

    class Meta:
        app_label = "wenzheng"
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
