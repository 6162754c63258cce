"""志愿者之家: volunteers, teams, activities, sign-ups and hours; the 文明实践 点单 loop; 三长
service records.

Records follow 民政部《志愿服务记录与证明出具办法》: true, complete, recorded by the organiser
(the team's leader confirms hours), free of charge. Hours are kept in whole minutes.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from rongmei.units.models import Unit

# Star levels by total confirmed hours (《志愿服务记录与证明出具办法》 practice: 一星 100 小时 …).
STAR_HOURS = (100, 300, 600, 1000, 1500)


def star_level(minutes: int) -> int:
    hours = minutes // 60
    return sum(1 for threshold in STAR_HOURS if hours >= threshold)


def _card_code() -> str:
    return secrets.token_hex(8)


def _qr_secret() -> str:
    return secrets.token_hex(16)


class Volunteer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="volunteer")
    real_name = models.CharField("真实姓名", max_length=20)
    skills = models.CharField("技能特长", max_length=100, blank=True)
    area = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="所在区域")
    availability = models.CharField("可服务时间", max_length=60, blank=True)
    card_code = models.CharField("志愿者编号", max_length=16, unique=True, default=_card_code)
    total_minutes = models.PositiveIntegerField("累计服务时长（分钟）", default=0)
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"
        ordering = ["pk"]

    def __str__(self):
        return self.real_name

    @property
    def stars(self) -> int:
        return star_level(self.total_minutes)

    @property
    def hours_display(self) -> str:
        return f"{self.total_minutes / 60:.1f}"

    @property
    def masked_name(self) -> str:
        """The name as public pages show it (光荣榜): "王*明" (``core.masking.mask_name``)."""
        from rongmei.core.masking import mask_name

        return mask_name(self.real_name)

    @property
    def certified_name(self) -> str:
        """The name a 志愿服务证明 is issued in: the verified one (实名登记, accounts'
        RealNameRecord) when the account has it, else the name the volunteer registered."""
        from rongmei.accounts.models import RealNameRecord

        verified = RealNameRecord.objects.filter(user_id=self.user_id).values_list(
            "name", flat=True).first()
        return verified or self.real_name


class Team(models.Model):
    name = models.CharField("队伍名称", max_length=40, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="volunteer_teams",
                             verbose_name="所属单位")
    intro = models.TextField("简介", blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "志愿队伍"
        verbose_name_plural = "志愿队伍"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class MemberStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACTIVE = "active", "已加入"
    REJECTED = "rejected", "未通过"
    LEFT = "left", "已退出"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField("状态", max_length=8, choices=MemberStatus.choices,
                              default=MemberStatus.PENDING)
    is_leader = models.BooleanField("队长", default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"],
                                               name="volunteers_member_unique")]


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", "报名中"
    CANCELLED = "cancelled", "已取消"


class Activity(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField("活动名称", max_length=40)
    description = models.TextField("活动内容", blank=True)
    requirements = models.CharField("参加要求", max_length=200, blank=True)
    place = models.CharField("活动地点", max_length=80)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    radius_m = models.PositiveIntegerField("签到范围（米）", null=True, blank=True,
                                           help_text="留空表示不校验位置")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("招募人数")
    taken = models.PositiveIntegerField("已报名", default=0)
    cancel_cutoff = models.DateTimeField("取消报名截止")
    status = models.CharField(max_length=10, choices=ActivityStatus.choices,
                              default=ActivityStatus.PUBLISHED)
    qr_secret = models.CharField(max_length=32, default=_qr_secret, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = "志愿活动"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            # The cap holds in the database too: no interleaving of sign-ups can pass it.
            models.CheckConstraint(condition=Q(taken__lte=models.F("capacity")),
                                   name="volunteers_activity_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="volunteers_activity_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def shift_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已报名"
    WAITING = "waiting", "候补中"
    CANCELLED = "cancelled", "已取消"


class HoursStatus(models.TextChoices):
    NONE = "none", "未签退"
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"


class Signup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField("状态", max_length=10, choices=SignupStatus.choices)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    manual_reason = models.CharField("补签原因", max_length=100, blank=True)
    manual_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    minutes = models.PositiveIntegerField("服务时长（分钟）", default=0)
    hours_status = models.CharField("时长状态", max_length=10, choices=HoursStatus.choices,
                                    default=HoursStatus.NONE)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    points_paid = models.PositiveIntegerField("发放积分", default=0)
    # A volunteer's 申诉 (dispute or make-up) before the hours are confirmed: the time they
    # claim and why; the team's leader approves (confirming that time) or turns it down.
    claim_minutes = models.PositiveIntegerField("申诉时长（分钟）", null=True, blank=True)
    claim_reason = models.CharField("申诉理由", max_length=100, blank=True)
    claim_status = models.CharField("申诉状态", max_length=10, blank=True, choices=[
        ("pending", "待队长处理"), ("approved", "已同意"), ("rejected", "未同意")])

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"],
                                               name="volunteers_signup_unique")]


# --- 文明实践 点单 → 派单 → 接单 → 评单 ------------------------------------------------------

class MenuItem(models.Model):
    name = models.CharField("服务项目", max_length=20, unique=True)
    description = models.CharField("说明", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "服务菜单"
        verbose_name_plural = "服务菜单"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", "待派单"
    DISPATCHED = "dispatched", "待接单"
    ACCEPTED = "accepted", "已接单"
    DONE = "done", "待评价"
    RATED = "rated", "已评价"
    DECLINED = "declined", "未受理"


class ServiceOrder(models.Model):
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="practice_orders")
    item = models.ForeignKey(MenuItem, on_delete=models.PROTECT, null=True, blank=True,
                             verbose_name="服务项目")
    request = models.CharField("需求说明", max_length=200)
    area = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name="所在乡镇/社区")
    address = models.CharField("服务地址", max_length=80)
    status = models.CharField(max_length=10, choices=OrderStatus.choices,
                              default=OrderStatus.ORDERED)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="orders", verbose_name="承接队伍")
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    due_at = models.DateTimeField("本环节期限")  # dispatch, accept or serve deadline
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    rating_comment = models.CharField("评价", max_length=100, blank=True)
    note = models.CharField("处理说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "点单"
        verbose_name_plural = "点单"
        ordering = ["-created_at", "-pk"]


# --- 三长 service records ------------------------------------------------------------------

class GridServiceKind(models.TextChoices):
    VISIT = "visit", "走访"
    MEDIATION = "mediation", "调解"
    WENZHENG = "wenzheng", "问政办理"
    OTHER = "other", "其他"


class GridServiceStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class GridService(models.Model):
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="grid_services")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                             verbose_name="网格")
    kind = models.CharField("类型", max_length=10, choices=GridServiceKind.choices)
    description = models.CharField("服务内容", max_length=200)
    served_on = models.DateField("服务日期")
    status = models.CharField(max_length=10, choices=GridServiceStatus.choices,
                              default=GridServiceStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=100, blank=True)
    points_paid = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "三长服务记录"
        verbose_name_plural = "三长服务记录"
        ordering = ["-created_at", "-pk"]


# --- showcase posts (活动风采) -----------------------------------------------------------------

class PostStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已发布"
    REJECTED = "rejected", "未通过"


class ShowcasePost(models.Model):
    """A team's photos and words from an activity: public only after the center's review,
    and the text passes the word gate before it is even submitted."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    body = models.TextField("活动风采", max_length=500)
    photo = models.ImageField("照片", upload_to="volunteers/posts/%Y/%m/", blank=True)
    status = models.CharField(max_length=10, choices=PostStatus.choices,
                              default=PostStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "活动风采"
        verbose_name_plural = "活动风采"
        ordering = ["-created_at", "-pk"]
