"""Open311 partner systems and the accounts their cases are filed under (``open311.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class Open311Partner(models.Model):
    """Another system — a 12345 hotline platform, a civic app — that files cases through
    Open311 GeoReport v2 (``open311.py``) with its own API key. Only the SHA-256 of the key
    is kept; the key is shown once, when it is issued. Its cases go through the same triage
    as any resident's."""

    name = models.CharField("合作系统", max_length=60, unique=True)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    key_prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="签发人")
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="吊销人")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    case_count = models.PositiveIntegerField("提交问政数", default=0)

    class Meta:
        verbose_name = "Open311 合作系统"
        verbose_name_plural = "Open311 合作系统"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Reporter(models.Model):
    """The account a partner's cases are filed under: one per person the partner names
    (its account_id, else phone, else email, else device_id — kept only as a keyed hash),
    so the per-person submission limits apply to people, not to the whole hotline; a
    submission naming nobody gets an account of its own. These accounts cannot sign in."""

    partner = models.ForeignKey(Open311Partner, on_delete=models.PROTECT,
                                related_name="reporters", verbose_name="合作系统")
    identity_hash = models.CharField(max_length=64, blank=True)
    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="open311_reporter",
                                verbose_name="账号")

    class Meta:
        verbose_name = "Open311 反映人"
        verbose_name_plural = "Open311 反映人"
        constraints = [models.UniqueConstraint(
            fields=["partner", "identity_hash"], condition=~Q(identity_hash=""),
            name="wenzheng_open311_reporter_once")]
