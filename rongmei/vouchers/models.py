"""消费券: voucher campaigns, their rounds, the vouchers people hold, and settlement.

Money is kept in fen (分, integer cents). The database is the record of who won: a round's
``remaining`` can never go below zero and a person's claims are numbered 1..limit with a
unique constraint, so no race — and no Redis failure — can issue more than the stock or more
than a person's limit. Redis (``grab.py``) only keeps the losers away from the database.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rongmei.merchants.models import BusinessCategory, Merchant


def yuan(fen: int) -> str:
    """Format an amount in fen as yuan for people: 2000 → '20', 1550 → '15.50'."""
    whole, part = divmod(int(fen), 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}"


class Issuer(models.TextChoices):
    """Who pays for a campaign's vouchers: the government (settled to merchants as subsidy)
    or a merchant for its own shop (its own discount; nobody settles it)."""

    GOVERNMENT = "government", "政府"
    MERCHANT = "merchant", "商户"


class Distribution(models.TextChoices):
    GRAB = "grab", "限时抢券"
    LOTTERY = "lottery", "报名摇号"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "进行中"
    ENDED = "ended", "已结束"


class VoucherCampaign(models.Model):
    title = models.CharField("活动名称", max_length=60)
    description = models.TextField("活动说明", max_length=2000, blank=True)
    issuer = models.CharField("发放方", max_length=16, choices=Issuer.choices)
    issuer_merchant = models.ForeignKey(Merchant, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="own_campaigns",
                                        verbose_name="发放商户")
    category = models.CharField("行业", max_length=16, choices=BusinessCategory.choices)
    face_value = models.PositiveIntegerField("面额（分）")
    threshold = models.PositiveIntegerField("使用门槛（分）", default=0,
                                            help_text="满多少可用，0 表示无门槛")
    per_person_limit = models.PositiveSmallIntegerField("每人限领", default=1)
    require_realname = models.BooleanField("须实名", default=True)
    volunteer_min_stars = models.PositiveSmallIntegerField(
        "仅限志愿者（最低星级）", null=True, blank=True,
        help_text="志愿者礼遇券：留空为所有居民可领；0 为所有注册志愿者；1–5 为该星级及以上")
    distribution = models.CharField("发放方式", max_length=16, choices=Distribution.choices,
                                    default=Distribution.GRAB)
    valid_from = models.DateTimeField("有效期开始", null=True, blank=True)
    valid_until = models.DateTimeField("有效期结束", null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(
        "领取后有效天数", null=True, blank=True,
        help_text="填写后按领取时间计算有效期；不填则使用固定有效期")
    all_merchants_in_category = models.BooleanField(
        "同行业商户均可使用", default=True,
        help_text="取消勾选时，只有下面列出的商户可以核销")
    merchants = models.ManyToManyField(Merchant, blank=True, related_name="campaigns",
                                       verbose_name="指定商户")
    per_merchant_daily_limit = models.PositiveIntegerField(
        "单店每日核销上限", null=True, blank=True)
    refuse_below_face_value = models.BooleanField(
        "消费金额低于面额时不能使用", default=False,
        help_text="不勾选时，消费金额低于面额的按消费金额抵扣（顾客实付0元），"
                  "补贴也只按实际抵扣的金额结算")
    return_expired = models.BooleanField("过期未用退回券池", default=False)
    status = models.CharField("状态", max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT, db_index=True)
    # 报名摇号 (rongmei.core.draw): sha256(seed) and the public source are published before
    # sign-up opens; the closed list's digest when sign-up closes; the public value and the
    # seed at the draw.
    lottery_signup_until = models.DateTimeField("报名截止", null=True, blank=True)
    lottery_commitment = models.CharField("摇号种子承诺（SHA-256）", max_length=64, blank=True)
    lottery_public_source = models.CharField(
        "公开随机数来源", max_length=120, blank=True,
        help_text="报名截止之后才产生、谁也控制不了的公开数字，如“2026年6月1日福彩3D第2026145期开奖号码”")
    lottery_closed_at = models.DateTimeField("名单封存时间", null=True, blank=True)
    lottery_entries_digest = models.CharField("报名名单指纹（SHA-256）", max_length=64, blank=True)
    lottery_quota = models.PositiveIntegerField("中签名额", null=True, blank=True)
    # The day the named public draw happens: after sign-up closes (checked at the commit),
    # published with the source. The public value may be entered only after that day, by
    # one staff member, and the draw runs only when a second one — not the one who committed
    # the seed, nor the one who entered the value — confirms it (四眼原则).
    lottery_public_draw_on = models.DateField("公开随机数开奖日期", null=True, blank=True)
    lottery_committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="种子承诺人")
    lottery_value_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="公开随机数录入人")
    lottery_value_entered_at = models.DateTimeField("公开随机数录入时间", null=True, blank=True)
    lottery_drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="复核开奖人")
    lottery_public_value = models.CharField("公开随机数", max_length=60, blank=True)
    lottery_seed = models.CharField("摇号种子", max_length=64, blank=True)
    lottery_drawn_at = models.DateTimeField("开奖时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "消费券活动"
        verbose_name_plural = "消费券活动"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(face_value__gt=0), name="campaign_face_value_positive"),
            models.CheckConstraint(condition=Q(threshold=0) | Q(threshold__gt=F("face_value")),
                                   name="campaign_threshold_above_face_value"),
            models.CheckConstraint(condition=Q(volunteer_min_stars__isnull=True)
                                   | Q(volunteer_min_stars__lte=5),
                                   name="campaign_volunteer_stars_at_most_five"),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1),
                                   name="campaign_limit_positive"),
            models.CheckConstraint(
                condition=Q(valid_days__isnull=False)
                | (Q(valid_from__isnull=False) & Q(valid_until__isnull=False)
                   & Q(valid_until__gt=F("valid_from"))),
                name="campaign_validity_defined"),
        ]

    def __str__(self):
        return self.title

    @property
    def audience_text(self) -> str:
        """Who may take it, as the pages say it ("" for everyone)."""
        if self.volunteer_min_stars is None:
            return ""
        if self.volunteer_min_stars == 0:
            return "仅限注册志愿者"
        return f"仅限{self.volunteer_min_stars}星及以上志愿者"

    @property
    def rule_text(self) -> str:
        if self.threshold:
            return f"满{yuan(self.threshold)}减{yuan(self.face_value)}"
        return f"{yuan(self.face_value)}元无门槛"


class VoucherRound(models.Model):
    """One release of stock at a set time (e.g. 10:00 daily for five days)."""

    campaign = models.ForeignKey(VoucherCampaign, on_delete=models.CASCADE,
                                 related_name="rounds", verbose_name="活动")
    starts_at = models.DateTimeField("开抢时间")
    ends_at = models.DateTimeField("结束时间")
    stock = models.PositiveIntegerField("发放数量")
    remaining = models.IntegerField("剩余数量")
    carried_over = models.PositiveIntegerField(
        "转入下一场数量", null=True, blank=True,
        help_text="场次结束后未领完的数量已转入下一场（仅在“过期未用退回券池”时）")

    class Meta:
        verbose_name = "发放场次"
        verbose_name_plural = "发放场次"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0), name="round_remaining_not_negative"),
            models.CheckConstraint(condition=Q(remaining__lte=F("stock")),
                                   name="round_remaining_within_stock"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="round_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.campaign} {timezone.localtime(self.starts_at):%m月%d日 %H:%M}"


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", "未使用"
    REDEEMED = "redeemed", "已使用"
    EXPIRED = "expired", "已过期"


class Voucher(models.Model):
    campaign = models.ForeignKey(VoucherCampaign, on_delete=models.PROTECT,
                                 related_name="vouchers", verbose_name="活动")
    round = models.ForeignKey(VoucherRound, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="vouchers", verbose_name="场次")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="vouchers", verbose_name="持有人")
    slot = models.PositiveSmallIntegerField("第几张")
    code = models.CharField("券号", max_length=12, unique=True)
    secret = models.CharField(max_length=32)  # keys the rotating QR and fallback code
    status = models.CharField("状态", max_length=16, choices=VoucherStatus.choices,
                              default=VoucherStatus.ISSUED, db_index=True)
    claimed_at = models.DateTimeField("领取时间", default=timezone.now)
    valid_from = models.DateTimeField("生效时间")
    valid_until = models.DateTimeField("失效时间", db_index=True)
    redeemed_at = models.DateTimeField("核销时间", null=True, blank=True)
    redeemed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name="核销人")
    merchant = models.ForeignKey(Merchant, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="redeemed_vouchers", verbose_name="核销商户")
    bill_amount = models.PositiveIntegerField("消费金额（分）", null=True, blank=True)
    # What the voucher took off the bill: min(face value, bill), fixed at redemption. The
    # till, statements and the dashboard all read this one figure (``money.discount``).
    discount = models.PositiveIntegerField("抵扣金额（分）", null=True, blank=True)
    statement = models.ForeignKey("SettlementStatement", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="vouchers",
                                  verbose_name="结算单")
    expired_at = models.DateTimeField("过期处理时间", null=True, blank=True)
    returned_to = models.ForeignKey(VoucherRound, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="returned_vouchers",
                                    verbose_name="退回场次")
    claim_ip = models.GenericIPAddressField("领取IP", null=True, blank=True)
    claim_device = models.CharField("领取设备", max_length=64, blank=True)

    class Meta:
        verbose_name = "消费券"
        verbose_name_plural = "消费券"
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user", "slot"],
                                    name="voucher_one_claim_per_slot"),
            models.CheckConstraint(
                condition=~Q(status="redeemed")
                | (Q(merchant__isnull=False) & Q(bill_amount__isnull=False)
                   & Q(redeemed_at__isnull=False)),
                name="voucher_redeemed_has_merchant_and_bill"),
            # A voucher never takes off more than the bill: the customer never pays less
            # than nothing, and nobody is paid a subsidy for money that was not spent.
            models.CheckConstraint(
                condition=~Q(status="redeemed")
                | (Q(discount__gt=0) & Q(discount__lte=F("bill_amount"))),
                name="voucher_discount_within_bill"),
        ]
        indexes = [models.Index(fields=["user", "status"]),
                   models.Index(fields=["campaign", "claim_ip"]),
                   models.Index(fields=["merchant", "status", "redeemed_at"])]

    def __str__(self):
        return f"{self.campaign.title} {self.code}"


class LotteryEntry(models.Model):
    """One person's sign-up. ``number`` is random (not the order of signing up), so nobody
    can aim for a number by timing their sign-up."""

    campaign = models.ForeignKey(VoucherCampaign, on_delete=models.CASCADE,
                                 related_name="entries", verbose_name="活动")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name="报名人")
    number = models.PositiveIntegerField("报名编号")
    # Not in the sealed list: the account was closed or disabled before sign-up closed.
    excluded = models.BooleanField("未参加摇号", default=False)
    # Won, but the account was closed after the list was sealed: no voucher is issued and
    # nobody moves up (if closing accounts could promote the next in line, whoever may
    # disable accounts could steer the result after seeing the public value).
    forfeited = models.BooleanField("中签作废（账号已注销）", default=False)
    won = models.BooleanField("中签", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "摇号报名"
        verbose_name_plural = "摇号报名"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="lottery_one_entry"),
            models.UniqueConstraint(fields=["campaign", "number"], name="lottery_unique_number"),
        ]


class SettlementStatement(models.Model):
    """One merchant's redemptions of one period paid by one funder: every redemption is in
    exactly one statement. A government statement is what the government owes the merchant
    (``subsidy_total``); a merchant statement records the merchant's own vouchers, which
    nobody pays for (their discount is the merchant's own)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT,
                                 related_name="statements", verbose_name="商户")
    funder = models.CharField("出资方", max_length=16, choices=Issuer.choices,
                              default=Issuer.GOVERNMENT)
    period_start = models.DateField("结算开始日")
    period_end = models.DateField("结算结束日")
    voucher_count = models.PositiveIntegerField("核销张数")
    subsidy_total = models.PositiveBigIntegerField("抵扣金额合计（分）")
    bill_total = models.PositiveBigIntegerField("带动消费（分）")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="生成人")
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "结算单"
        verbose_name_plural = "结算单"
        ordering = ["-period_end", "merchant_id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "funder", "period_start", "period_end"],
                                    name="statement_one_per_merchant_funder_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="statement_period_ordered"),
        ]

    def __str__(self):
        return f"{self.merchant} {self.period_start}–{self.period_end}"

    @property
    def kind_label(self) -> str:
        return "财政补贴结算单" if self.funder == Issuer.GOVERNMENT else "商户自发券对账单"

    @property
    def government_owes(self) -> int:
        """What the government pays the merchant for this statement (fen)."""
        return self.subsidy_total if self.funder == Issuer.GOVERNMENT else 0
