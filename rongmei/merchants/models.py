"""企业之家: free pages for county businesses, reviewed by operators.

A resident applies for their business (licence photo, category, address, contacts); an
operator approves or rejects it. Approved merchants get a public page, post openings,
promotions and celebrations (each reviewed before it shows), take part in voucher
campaigns and redeem vouchers through their staff accounts.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from rongmei.core.masking import mask_phone
from rongmei.core.public_text import GatedPublicText
from rongmei.core.uploads import stored_name


class BusinessCategory(models.TextChoices):
    RETAIL = "retail", "零售"
    CATERING = "catering", "餐饮住宿"
    FURNITURE = "furniture", "家具家电"
    TOURISM = "tourism", "文旅景区"
    AUTO = "auto", "汽车"
    SERVICES = "services", "生活服务"
    AGRICULTURE = "agriculture", "农特产品"
    OTHER = "other", "其他"


class MerchantStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已入驻"
    REJECTED = "rejected", "未通过"
    SUSPENDED = "suspended", "已暂停"


credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    "统一社会信用代码应为18位数字或大写字母",
)


def licence_path(instance, filename):
    return stored_name("private/merchant-licences", filename)


def merchant_image_path(instance, filename):
    return stored_name("merchants", filename)


class Merchant(GatedPublicText, models.Model):
    name = models.CharField("商户名称", max_length=60)
    category = models.CharField("行业", max_length=16, choices=BusinessCategory.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18,
                                   validators=[credit_code_validator])
    licence_photo = models.ImageField("营业执照照片", upload_to=licence_path)
    address = models.CharField("地址", max_length=120)
    contact_name = models.CharField("联系人", max_length=20)
    contact_phone = models.CharField("联系电话", max_length=20)
    intro = models.TextField("简介", max_length=1000, blank=True)
    opening_hours = models.CharField("营业时间", max_length=60, blank=True)
    shop_phone = models.CharField(
        "店铺电话（公开）", max_length=20, blank=True,
        help_text="顾客在店铺主页可一键拨打；联系人电话不公开")
    cover = models.ImageField("门店照片", upload_to=merchant_image_path, blank=True)
    status = models.CharField("状态", max_length=16, choices=MerchantStatus.choices,
                              default=MerchantStatus.PENDING, db_index=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="merchant_applications", verbose_name="申请人")
    created_at = models.DateTimeField("申请时间", default=timezone.now)

    class Meta:
        verbose_name = "商户"
        verbose_name_plural = "商户"
        ordering = ["-created_at"]
        constraints = [
            # One live listing per business licence.
            models.UniqueConstraint(fields=["credit_code"],
                                    condition=~models.Q(status="rejected"),
                                    name="merchant_unique_live_credit_code"),
        ]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self):
        return self.name

    @property
    def map_url(self) -> str:
        """The shop's address on a map (高德地图's documented URI search, which opens the
        map app on a phone or the web map elsewhere)."""
        from urllib.parse import urlencode

        from django.conf import settings

        return "https://uri.amap.com/search?" + urlencode({
            "keyword": f"{self.name} {self.address}", "city": settings.RONGMEI_COUNTY_NAME,
            "src": "rongmei", "callnative": 1})

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_live(self) -> bool:
        return self.status == MerchantStatus.APPROVED


class MerchantStaffRole(models.TextChoices):
    OWNER = "owner", "店主"
    CLERK = "clerk", "店员"


class MerchantStaff(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff",
                                 verbose_name="商户")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="merchant_roles", verbose_name="人员")
    role = models.CharField("身份", max_length=8, choices=MerchantStaffRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "商户人员"
        verbose_name_plural = "商户人员"
        constraints = [models.UniqueConstraint(fields=["merchant", "user"],
                                               name="merchant_staff_unique")]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "待接受"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    REVOKED = "revoked", "已撤回"


class MerchantInvitation(models.Model):
    """An owner's invitation to a phone number to become a clerk.

    Nothing happens to that number until its holder says yes: in the app (signed in with
    that number) or by typing the code the invitation SMS carried. No account is made for
    anyone who has not accepted. Only an HMAC of the code is kept."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="invitations",
                                 verbose_name="商户")
    phone = models.CharField("手机号", max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    status = models.CharField("状态", max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="邀请人")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             verbose_name="接受人")
    created_at = models.DateTimeField("邀请时间", default=timezone.now)
    expires_at = models.DateTimeField("有效期至")
    answered_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "店员邀请"
        verbose_name_plural = "店员邀请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "phone"],
                                    condition=models.Q(status="pending"),
                                    name="merchant_one_pending_invitation_per_phone"),
        ]

    def __str__(self):
        return f"{self.merchant} → {mask_phone(self.phone)}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class StaffAction(models.TextChoices):
    INVITED = "invited", "邀请"
    JOINED = "joined", "接受邀请"
    DECLINED = "declined", "拒绝邀请"
    REVOKED = "revoked", "撤回邀请"
    REMOVED = "removed", "移除"
    LEFT = "left", "退出"


class MerchantStaffEvent(models.Model):
    """Who joined, left or was removed from a shop's staff, by whom; rows are only added."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff_events",
                                 verbose_name="商户")
    action = models.CharField("事项", max_length=10, choices=StaffAction.choices)
    phone = models.CharField("手机号（脱敏）", max_length=11)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="操作人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "店员变动记录"
        verbose_name_plural = "店员变动记录"
        ordering = ["-created_at", "-pk"]


class PostKind(models.TextChoices):
    OPENING = "opening", "开业"
    PROMOTION = "promotion", "促销"
    CELEBRATION = "celebration", "庆典"
    NOTICE = "notice", "公告"


class PostStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "未通过"


class MerchantPost(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="posts",
                                 verbose_name="商户")
    kind = models.CharField("类型", max_length=16, choices=PostKind.choices)
    title = models.CharField("标题", max_length=40)
    body = models.TextField("内容", max_length=2000)
    image = models.ImageField("图片", upload_to=merchant_image_path, blank=True)
    starts_on = models.DateField("活动开始", null=True, blank=True)
    ends_on = models.DateField("活动结束", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=PostStatus.choices,
                              default=PostStatus.PENDING, db_index=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name="发布人")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="审核人")
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "商户动态"
        verbose_name_plural = "商户动态"
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="merchant_post_dates_ordered"),
        ]

    def __str__(self):
        return self.title
