"""积分: one append-only ledger of points.

Every change is a ``PointsEntry`` with a reason, a source and an idempotency key derived
from the business event ("user U read article X on day D"), unique in the database, so a
replayed event never pays twice. ``PointsAccount.balance`` always equals the sum of the
account's entries and can never go negative (a check constraint; writers hold the account
row lock). Grants are ``PointsLot``s with an expiry, spent soonest-expiring first; each spend
records the lots it drew from (``PointsSpendLot``), so a refund restores exactly those.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class PointsAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                primary_key=True, related_name="points_account",
                                verbose_name="用户")
    balance = models.IntegerField("余额", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0),
                                              name="points_balance_not_negative")]

    def __str__(self):
        return f"{self.user} {self.balance}"


class EntryKind(models.TextChoices):
    EARN = "earn", "获得"
    SPEND = "spend", "使用"
    REFUND = "refund", "退回"
    EXPIRE = "expire", "过期"
    ADJUST = "adjust", "人工调整"


class PointsEntry(models.Model):
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries",
                                verbose_name="账户")
    kind = models.CharField("类型", max_length=8, choices=EntryKind.choices)
    amount = models.IntegerField("积分变动")
    balance_after = models.IntegerField("变动后余额")
    action = models.CharField("事由代码", max_length=32, db_index=True)
    reason = models.CharField("说明", max_length=120)
    source = models.CharField("来源", max_length=80, blank=True,
                              help_text="如 article:123、order:45")
    idempotency_key = models.CharField(max_length=160, unique=True)
    refund_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="refunds", verbose_name="退回的使用记录")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name="操作人")
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "积分明细"
        verbose_name_plural = "积分明细"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "action", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0),
                                   name="points_entry_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind__in=["earn", "refund"], amount__gt=0)
                           | Q(kind__in=["spend", "expire"], amount__lt=0)
                           | Q(kind="adjust")),
                name="points_entry_sign_matches_kind"),
        ]

    def __str__(self):
        return f"{self.reason} {self.amount:+d}"


class PointsLot(models.Model):
    """Points granted together, expiring together."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="lots")
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="lot")
    amount = models.PositiveIntegerField("发放数量")
    remaining = models.IntegerField("剩余数量")
    expires_at = models.DateTimeField("过期时间", db_index=True)

    class Meta:
        verbose_name = "积分批次"
        verbose_name_plural = "积分批次"
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0), name="points_lot_not_negative"),
            models.CheckConstraint(condition=Q(remaining__lte=F("amount")),
                                   name="points_lot_within_amount"),
        ]
        indexes = [models.Index(fields=["account", "expires_at"],
                                condition=Q(remaining__gt=0), name="points_lot_live_idx")]


class PointsSpendLot(models.Model):
    """How much of which lot a spend (or expiry) drew."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="drawn")
    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="draws")
    amount = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "lot"],
                                               name="points_spend_lot_unique")]


class EarningRule(models.Model):
    """学习强国-style rules operators set: points per action and a daily cap."""

    action = models.CharField("行为代码", max_length=32, unique=True)
    label = models.CharField("名称", max_length=20)
    points = models.PositiveIntegerField("每次积分")
    daily_cap = models.PositiveIntegerField("每日上限（积分）",
                                            help_text="当天由此行为获得的积分不超过此数；0 表示不限")
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.label
