"""One notice to one person: in the inbox as a 待办 (something to do, closed when it is done)
or a 消息 (something to know), and optionally by SMS, with the delivery's outcome kept on the
row so failures are visible in the console."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Box(models.TextChoices):
    TODO = "todo", "待办"
    MESSAGE = "message", "消息"


class SmsState(models.TextChoices):
    NONE = "", "不发短信"
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    NO_PHONE = "no_phone", "无手机号"


class Notice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notices", verbose_name="接收人")
    kind = models.CharField("类型", max_length=32, db_index=True)
    box = models.CharField("分类", max_length=8, choices=Box.choices, default=Box.MESSAGE)
    title = models.CharField("标题", max_length=60)
    body = models.CharField("内容", max_length=300, blank=True)
    link = models.CharField("链接", max_length=200, blank=True)
    # A 待办 names what it is about; a newer notice with the same key replaces it, and the
    # capability closes it (``services.resolve``) when the thing has been done.
    todo_key = models.CharField("待办标识", max_length=80, blank=True, db_index=True)
    # What the notice is about (e.g. "wenzheng.case:12"), so a capability can erase every
    # notice about a thing when its personal data must go (``services.forget``).
    about = models.CharField("关联对象", max_length=80, blank=True, db_index=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    sms_state = models.CharField("短信", max_length=8, choices=SmsState.choices, blank=True,
                                 default=SmsState.NONE, db_index=True)
    sms_params = models.JSONField("短信参数", default=dict, blank=True)
    sms_phone_encrypted = models.TextField("短信号码（加密）", blank=True)
    sms_error = models.CharField("短信错误", max_length=255, blank=True)
    sms_attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    sms_sent_at = models.DateTimeField("短信发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "box", "read_at"], name="notice_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "todo_key"], name="notice_one_open_todo_per_key",
                condition=Q(done_at__isnull=True) & ~Q(todo_key="")),
        ]

    def __str__(self):
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_open_todo(self) -> bool:
        return self.box == Box.TODO and self.done_at is None

    @property
    def kind_label(self) -> str:
        from . import kinds

        return kinds.label(self.kind)
