"""民生信息: free posts by residents (and merchants) in categories with their own fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rongmei.core.masking import mask_phone
from rongmei.core.uploads import stored_name

from .fields import CLOSED_LABEL, DEFAULT_CLOSED_LABEL, SCHEMAS


class ReviewMode(models.TextChoices):
    BEFORE = "before", "先审后发"
    AFTER = "after", "先发后审"


class Category(models.Model):
    code = models.SlugField("编码", max_length=20, unique=True,
                            choices=[(code, code) for code in SCHEMAS])
    name = models.CharField("名称", max_length=12)
    review_mode = models.CharField("审核方式", max_length=8, choices=ReviewMode.choices,
                                   default=ReviewMode.BEFORE)
    expiry_days = models.PositiveSmallIntegerField("有效天数", default=30,
                                                   help_text="发布后多少天到期，可续期")
    is_open = models.BooleanField("开放发布", default=True)
    order = models.PositiveSmallIntegerField("排序", default=50)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = verbose_name_plural = "信息分类"

    def __str__(self):
        return self.name


class PostStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "展示中"
    REJECTED = "rejected", "未通过"
    CLOSED = "closed", "已结束"
    EXPIRED = "expired", "已到期"
    REMOVED = "removed", "已下架"


class Post(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="posts",
                                 verbose_name="分类")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="classified_posts", verbose_name="发布人")
    merchant = models.ForeignKey("merchants.Merchant", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name="商户")
    unit = models.ForeignKey("units.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="发布单位")
    title = models.CharField("标题", max_length=40)
    body = models.TextField("描述", max_length=1000, blank=True)
    fields = models.JSONField("分类信息", default=dict)
    price = models.DecimalField("价格", max_digits=14, decimal_places=2, null=True, blank=True)
    area = models.DecimalField("面积", max_digits=10, decimal_places=2, null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=20)
    contact_phone = models.CharField("联系电话", max_length=20)
    status = models.CharField("状态", max_length=12, choices=PostStatus.choices,
                              default=PostStatus.PENDING)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    renewals = models.PositiveSmallIntegerField("续期次数", default=0)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = verbose_name_plural = "民生信息"
        indexes = [models.Index(fields=["status", "category", "-published_at"]),
                   models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return self.title

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def closed_label(self) -> str:
        return CLOSED_LABEL.get(self.category.code, DEFAULT_CLOSED_LABEL)

    @property
    def status_label(self) -> str:
        if self.status == PostStatus.CLOSED:
            return self.closed_label
        return self.get_status_display()

    @property
    def verified_employer(self) -> bool:
        """招聘 by an approved merchant or a unit (posted by its 分端管理员) is marked 认证."""
        return (self.merchant_id is not None or self.unit_id is not None) \
            and self.category.code == "job"

    @property
    def employer_label(self) -> str:
        return "认证单位" if self.unit_id else "认证企业"


def photo_path(instance, filename):
    return stored_name(f"classifieds/{instance.post_id}", filename)


class PostPhoto(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("图片", upload_to=photo_path)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]


class ContactReveal(models.Model):
    """Every 查看电话: who saw whose number, when, from where."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "查看电话记录"


class ReportReason(models.TextChoices):
    FRAUD = "fraud", "虚假或诈骗"
    SOLD = "sold", "已失效（已成交/已招满）"
    ILLEGAL = "illegal", "违法违规"
    AGENT = "agent", "中介冒充个人"
    OTHER = "other", "其他"


class ReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    REMOVED = "removed", "已下架"
    DISMISSED = "dismissed", "不予处理"


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports",
                             verbose_name="信息")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+", verbose_name="举报人")
    reason = models.CharField("原因", max_length=12, choices=ReportReason.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("举报时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "信息举报"
        constraints = [models.UniqueConstraint(fields=["post", "reporter"],
                                               name="classifieds_report_once")]
