"""志愿者礼遇: what a merchant offers volunteers of a star level (a discount, a gift), shown
on the merchant's page and to volunteers; the counter checks the star level on the
volunteer card's QR (志愿者查验)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rongmei.merchants.models import Merchant


class Perk(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="perks",
                                 verbose_name="商户")
    title = models.CharField("礼遇", max_length=30, help_text="如：凭志愿者证消费9折")
    terms = models.CharField("使用说明", max_length=100, blank=True)
    min_stars = models.PositiveSmallIntegerField("最低星级", default=0,
                                                 help_text="0 表示所有注册志愿者")
    is_active = models.BooleanField("有效", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "志愿者礼遇"
        verbose_name_plural = "志愿者礼遇"
        ordering = ["min_stars", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(min_stars__lte=5),
                                              name="perks_min_stars_at_most_five")]

    def __str__(self):
        return self.title

    @property
    def rule(self) -> str:
        return f"{self.min_stars}星及以上志愿者" if self.min_stars else "注册志愿者"
