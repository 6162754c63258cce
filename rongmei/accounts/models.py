"""Accounts: residents and staff, keyed by a mainland mobile number."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from rongmei.core.masking import mask_phone

from .validators import normalize_phone, validate_mainland_mobile


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone, password, **extra_fields):
        phone = normalize_phone(phone)
        user = self.model(phone=phone, **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(phone, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    # NULL once an account is deleted (PIPL): the number is free to register again, and the
    # rows that point at this user (ledger entries, orders) stay consistent.
    phone = models.CharField("手机号", max_length=11, unique=True, null=True,
                             validators=[validate_mainland_mobile])
    name = models.CharField("姓名", max_length=40, blank=True,
                            help_text="工作人员的真实姓名；居民可留空")
    nickname = models.CharField("昵称", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_staff = models.BooleanField("可进入管理后台", default=False)
    is_active = models.BooleanField("有效", default=True)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)
    elder_mode = models.BooleanField("长辈模式", default=False)
    deleted_at = models.DateTimeField("注销时间", null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [("view_personal_data", "查看用户完整个人信息")]

    def __str__(self):
        return self.display_name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def display_name(self) -> str:
        if self.deleted_at:
            return "已注销用户"
        return self.nickname or self.name or f"用户{self.masked_phone[-4:]}"

    # Wagtail and Django admin call these.
    def get_full_name(self):
        return self.name or self.display_name

    def get_short_name(self):
        return self.nickname or self.name or self.masked_phone


class OtpPurpose(models.TextChoices):
    LOGIN = "login", "登录"
    STAFF = "staff", "管理后台登录验证"
    STAFF_PASSWORD = "staff_password", "设置管理后台密码"


class PhoneOtp(models.Model):
    """A one-time code sent by SMS. Only an HMAC of the code is stored."""

    phone = models.CharField("手机号", max_length=11, db_index=True)
    purpose = models.CharField("用途", max_length=16, choices=OtpPurpose.choices,
                               default=OtpPurpose.LOGIN)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class SmsMessage(models.Model):
    """Every SMS we send: the delivery record, and in development the outbox you read codes
    from. ``body`` is kept only by the outbox provider; real providers keep the template
    parameters out of the database (they contain codes)."""

    phone = models.CharField("手机号", max_length=11, db_index=True)
    template = models.CharField("模板", max_length=32)
    body = models.TextField("内容", blank=True)
    provider = models.CharField("通道", max_length=16)
    status = models.CharField("状态", max_length=8, choices=SmsStatus.choices,
                              default=SmsStatus.QUEUED)
    provider_message_id = models.CharField("通道流水号", max_length=64, blank=True)
    error = models.CharField("错误信息", max_length=255, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信记录"
        verbose_name_plural = "短信记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{mask_phone(self.phone)} {self.template} {self.get_status_display()}"


class RealNameRecord(models.Model):
    """实名登记: the name, a masked ID number for display, the full number encrypted, and a
    keyed hash so one identity can hold only one account."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="realname",
                                verbose_name="用户")
    name = models.CharField("姓名", max_length=20)
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=18)
    id_number_encrypted = models.TextField("身份证号（加密）")
    id_number_hash = models.CharField(max_length=64, unique=True)
    verified_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "实名信息"
        verbose_name_plural = "实名信息"

    def __str__(self):
        return f"{self.masked_name} {self.id_number_masked}"

    @property
    def masked_name(self) -> str:
        """The name as pages show it (张*, 欧*锋): the full name never leaves the record."""
        from rongmei.core.masking import mask_name

        return mask_name(self.name)


class AppToken(models.Model):
    """A bearer token for native apps and mini-programs. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="app_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField("设备", max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"


class PersonalDataAccess(models.Model):
    """Who looked at whose personal data, and why (PIPL access log). Append-only."""

    viewer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name="查看人")
    subject = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                related_name="+", verbose_name="被查看人")
    what = models.CharField("内容", max_length=60)
    reason = models.CharField("事由", max_length=120, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        ordering = ["-created_at"]

    def __str__(self):
        when = timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")
        return f"{when} 查看{self.what}"


class WechatBinding(models.Model):
    """A WeChat identity (网页授权 openid of the resident app's 公众号) bound to an account,
    by the person proving the account's phone number. One account per openid; erased with
    the account (注销)."""

    openid = models.CharField("openid", max_length=64, unique=True)
    unionid = models.CharField("unionid", max_length=64, blank=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="wechat_bindings",
                             verbose_name="用户")
    nickname = models.CharField("微信昵称", max_length=64, blank=True)
    avatar_url = models.URLField("微信头像", max_length=500, blank=True)
    created_at = models.DateTimeField("绑定时间", default=timezone.now)

    class Meta:
        verbose_name = "微信绑定"
        verbose_name_plural = "微信绑定"

    def __str__(self):
        return f"{self.user} · {self.nickname or '微信用户'}"
