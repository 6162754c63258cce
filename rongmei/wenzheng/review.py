"""Review of what becomes public: texts a unit wrote for the public, waiting for the
newsroom (先审后发), and residents' reports (举报) on public cases with their handling."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已公开"
    REFUSED = "refused", "不予公开"


class UnitText(models.Model):
    """A text a unit wrote for the public, and the newsroom's review of it (先审后发)."""

    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="撰写人")
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="审核人")
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        abstract = True


class ProgressNote(UnitText):
    """A unit's progress note it wants the public to see: public only once the newsroom
    approves it (先审后发), possibly edited, as a timeline entry."""

    case = models.ForeignKey("wenzheng.Case", on_delete=models.CASCADE,
                             related_name="progress_notes", verbose_name="问政")
    assignment = models.ForeignKey("wenzheng.CaseAssignment", on_delete=models.CASCADE,
                                   related_name="progress_notes", verbose_name="承办")
    text = models.TextField("进展内容", max_length=500)
    status = models.CharField("状态", max_length=10, choices=ReviewStatus.choices,
                              default=ReviewStatus.PENDING, db_index=True)

    class Meta:
        verbose_name = "公开进展"
        verbose_name_plural = "公开进展"
        ordering = ["created_at", "pk"]


class ReportOutcome(models.TextChoices):
    DISMISSED = "dismissed", "驳回（内容无问题）"
    REDACTED = "redacted", "已编辑公开内容"
    WITHDRAWN = "withdrawn", "已撤下"


class AbuseReport(models.Model):
    case = models.ForeignKey("wenzheng.Case", on_delete=models.CASCADE,
                             related_name="abuse_reports", verbose_name="问政")
    reporter = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="举报人")
    reason = models.CharField("举报理由", max_length=200)
    created_at = models.DateTimeField("举报时间", default=timezone.now)
    outcome = models.CharField("处理结果", max_length=10, choices=ReportOutcome.choices,
                               blank=True)
    handled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="处理人")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True, db_index=True)
    handling_note = models.CharField("处理说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "问政举报"
        verbose_name_plural = "问政举报"
        constraints = [models.UniqueConstraint(fields=["case", "reporter"],
                                               name="wenzheng_abuse_once")]
