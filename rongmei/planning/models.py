"""策划指挥: tips (爆料/线索), topics (选题), resources and assignments (派单).

Learned from Superdesk's planning module (planning items, coverages, assignments), cut to
what a county center runs: a tip becomes a topic, a topic is staffed by assignments, an
assignment is handed in by linking the story it produced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rongmei.core.masking import mask_name, mask_phone
from rongmei.core.uploads import stored_name


class TipSource(models.TextChoices):
    RESIDENT = "resident", "群众爆料"
    UNIT = "unit", "单位报送"
    WENZHENG = "wenzheng", "问政转线索"
    COMMENT = "comment", "评论转线索"


class TipStatus(models.TextChoices):
    NEW = "new", "待处理"
    ADOPTED = "adopted", "已采用"
    MERGED = "merged", "已合并"
    REJECTED = "rejected", "未采用"


class Tip(models.Model):
    source = models.CharField("来源", max_length=10, choices=TipSource.choices)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="planning_tips", verbose_name="报送人")
    unit = models.ForeignKey("units.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="报送单位")
    title = models.CharField("标题", max_length=60)
    body = models.TextField("内容", max_length=2000)
    place = models.CharField("地点", max_length=100, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    contact_name = models.CharField("联系人", max_length=20, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    # A 问政 case turned into a tip: its id, not a foreign key, so this table does not need
    # the 问政 tables (问政 can be switched off); one tip per case.
    wenzheng_case_id = models.PositiveBigIntegerField("问政编号", null=True, blank=True,
                                                      unique=True)
    wenzheng_receipt = models.CharField("问政受理号", max_length=30, blank=True)
    # A comment (互动) turned into a tip, the same way: its id; one tip per comment.
    comment_id = models.PositiveBigIntegerField("评论编号", null=True, blank=True, unique=True)
    status = models.CharField("状态", max_length=10, choices=TipStatus.choices,
                              default=TipStatus.NEW)
    triage_note = models.CharField("处理意见", max_length=200, blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="处理人")
    triaged_at = models.DateTimeField("处理时间", null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_tips", verbose_name="合并到")
    topic = models.ForeignKey("Topic", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="tips", verbose_name="选题")
    # A resident's submission key (the form's hidden field, an app's retry): the same key
    # sent again returns the tip already made instead of a second one, as 问政 does.
    idempotency_key = models.CharField("提交标识", max_length=64, blank=True)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "线索"
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [models.UniqueConstraint(
            fields=["sender", "idempotency_key"], condition=~models.Q(idempotency_key=""),
            name="planning_tip_idempotent")]

    def __str__(self):
        return self.title

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.contact_name) if self.contact_name else ""

    @property
    def outcome(self) -> str:
        """What the sender reads in 我的爆料."""
        if self.status == TipStatus.REJECTED:
            return f"未采用：{self.triage_note}" if self.triage_note else "未采用"
        return self.get_status_display()


def tip_photo_path(instance, filename):
    # Under private/: never served from MEDIA_URL (core.views.public_media, nginx), only
    # through planning's view, which asks who is looking (services.tip_file_open).
    return stored_name(f"private/planning/tips/{instance.tip_id}", filename)


class TipPhoto(models.Model):
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("图片", upload_to=tip_photo_path)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]


class TipVideo(models.Model):
    """A resident's video, re-multiplexed without metadata (core.uploads.clean_video) and
    kept private like the photos. The desk may import it into the media library
    (``media_asset``), where the media pipeline transcodes it for stories."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="videos")
    file = models.FileField("视频", upload_to=tip_photo_path)
    media_asset = models.ForeignKey("media.MediaAsset", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name="素材库")

    class Meta:
        ordering = ["pk"]


class Outlet(models.TextChoices):
    APP = "app", "客户端"
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音/视频号"
    TV = "tv", "电视"
    RADIO = "radio", "广播"
    WEBSITE = "website", "网站"


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", "待审"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"
    MERGED = "merged", "已合并"
    DONE = "done", "已完成"


class Topic(models.Model):
    title = models.CharField("选题", max_length=60)
    angle = models.TextField("报道角度", max_length=1000)
    sources = models.TextField("采访对象与信源", max_length=1000, blank=True)
    outlets = models.JSONField("计划发布渠道", default=list)
    planned_date = models.DateField("计划日期", db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name="报题人")
    unit = models.ForeignKey("units.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="报题单位")
    status = models.CharField("状态", max_length=10, choices=TopicStatus.choices,
                              default=TopicStatus.PROPOSED)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_topics", verbose_name="合并到")
    created_at = models.DateTimeField("报题时间", auto_now_add=True)

    class Meta:
        ordering = ["planned_date", "pk"]
        verbose_name = verbose_name_plural = "选题"

    def __str__(self):
        return self.title

    @property
    def outlet_labels(self) -> str:
        labels = dict(Outlet.choices)
        return "、".join(labels.get(code, code) for code in self.outlets)


class ResourceKind(models.TextChoices):
    VEHICLE = "vehicle", "车辆"
    EQUIPMENT = "equipment", "器材"


class Resource(models.Model):
    """A vehicle or a piece of equipment (a camera kit, a live backpack) that is booked."""

    name = models.CharField("名称", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=10, choices=ResourceKind.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    is_active = models.BooleanField("可用", default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = verbose_name_plural = "车辆与器材"

    def __str__(self):
        return f"{self.get_kind_display()}·{self.name}"


class Duty(models.TextChoices):
    REPORTER = "reporter", "文字记者"
    CAMERA = "camera", "摄影摄像"
    VEHICLE = "vehicle", "车辆"
    EQUIPMENT = "equipment", "器材"


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", "待接单"
    ACCEPTED = "accepted", "已接单"
    DECLINED = "declined", "已拒绝"
    SUBMITTED = "submitted", "已交稿"
    CANCELLED = "cancelled", "已取消"
    # A vehicle or equipment booking: held from its start to its end, or until released.
    BOOKED = "booked", "已预订"
    RELEASED = "released", "已归还"


# States in which a person or a resource is held for the assignment's time.
HOLDING = (AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED, AssignmentStatus.BOOKED)


class Assignment(models.Model):
    """One person or one resource booked for a topic from ``starts_at`` to ``ends_at``.

    No double booking: a person (or a resource) holds at most one live assignment at any
    moment. ``dispatch.assignment_create`` checks it while holding a row lock on the person
    (or resource), so two parallel bookings are serialised and the second sees the first.
    """

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="assignments",
                              verbose_name="选题")
    duty = models.CharField("任务", max_length=10, choices=Duty.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="planning_assignments",
                                 verbose_name="承接人")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="assignments", verbose_name="车辆/器材")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("截止时间")
    place = models.CharField("地点", max_length=100, blank=True)
    note = models.CharField("要求", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.OFFERED)
    decline_reason = models.CharField("拒绝原因", max_length=200, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name="取消人")
    closed_at = models.DateTimeField("取消或归还时间", null=True, blank=True)
    story = models.ForeignKey("news.StoryPage", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name="交付稿件")
    submitted_at = models.DateTimeField("交稿时间", null=True, blank=True)
    overdue_reminded_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name="派单人")
    created_at = models.DateTimeField("派单时间", auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = verbose_name_plural = "派单"
        indexes = [models.Index(fields=["assignee", "status", "starts_at"]),
                   models.Index(fields=["resource", "status", "starts_at"]),
                   models.Index(fields=["status", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="planning_assignment_ends_after_start"),
            models.CheckConstraint(
                condition=(models.Q(assignee__isnull=False, resource__isnull=True)
                           | models.Q(assignee__isnull=True, resource__isnull=False)),
                name="planning_assignment_person_or_resource"),
        ]

    def __str__(self):
        return f"{self.topic.title}·{self.get_duty_display()}"

    @property
    def is_late(self) -> bool:
        """逾期交稿: handed in after the deadline (allowed, and marked)."""
        return bool(self.submitted_at and self.submitted_at > self.ends_at)

    @property
    def deadline_passed(self) -> bool:
        """Past the deadline: no longer accepted (dispatch.assignment_respond)."""
        from django.utils import timezone

        return self.ends_at <= timezone.now()

    @property
    def state_label(self) -> str:
        label = self.get_status_display()
        return f"{label}（逾期）" if self.is_late else label

    @property
    def who(self) -> str:
        if self.resource_id:
            return str(self.resource)
        return self.assignee.display_name if self.assignee_id else ""


class AssignmentUpdate(models.Model):
    """进展: what the assignee reports while on the job."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE,
                                   related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    text = models.CharField("进展", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class EventKind(models.TextChoices):
    MEETING = "meeting", "会议"
    FESTIVAL = "festival", "节会"
    ACTIVITY = "activity", "活动"
    OTHER = "other", "其他"


class Event(models.Model):
    """策划日历: something that will happen (a meeting, a festival such as the 莲花节) and
    that the center plans to cover, with a coverage per kind of output."""

    title = models.CharField("事件", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=EventKind.choices,
                            default=EventKind.ACTIVITY)
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=100, blank=True)
    description = models.TextField("说明", max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = verbose_name_plural = "策划日历"
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="planning_event_ends_after_start")]

    def __str__(self):
        return self.title


class CoverageKind(models.TextChoices):
    TEXT = "text", "文字"
    PHOTO = "photo", "图片"
    VIDEO = "video", "视频"
    LIVE = "live", "直播"


class Coverage(models.Model):
    """One kind of output planned for an event (文字, 图片, 视频, 直播) and the outlets it is
    for. Staffing it makes an approved topic (``topic``), which takes assignments."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="coverages",
                              verbose_name="事件")
    kind = models.CharField("报道形式", max_length=10, choices=CoverageKind.choices)
    outlets = models.JSONField("发布渠道", default=list)
    note = models.CharField("报道要求", max_length=200, blank=True)
    topic = models.OneToOneField(Topic, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="coverage", verbose_name="选题")

    class Meta:
        ordering = ["event", "kind"]
        verbose_name = verbose_name_plural = "报道计划"
        constraints = [models.UniqueConstraint(fields=["event", "kind"],
                                               name="planning_one_coverage_per_kind")]

    def __str__(self):
        return f"{self.event.title}·{self.get_kind_display()}"

    @property
    def outlet_labels(self) -> str:
        labels = dict(Outlet.choices)
        return "、".join(labels.get(code, code) for code in self.outlets)
