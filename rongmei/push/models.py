"""Web Push: the browsers that asked for breaking-news alerts, and the messages sent to them.

A ``PushSubscription`` is one browser's ``PushSubscription`` object (endpoint + keys), kept
unique by endpoint so a browser that subscribes again updates its row. Topics are stored as
a delimited string (",breaking,") so "subscribers of a topic" is one indexed-enough LIKE on
both SQLite and PostgreSQL; the set of topics is fixed in code (``TOPICS``).

A ``PushMessage`` is one broadcast; its counters move only by F-expressions from the sending
task, so concurrent batches never lose an increment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Topics a browser can subscribe to, and their names as staff and residents see them.
TOPICS = {"breaking": "突发新闻"}
DEFAULT_TOPIC = "breaking"


def topics_to_field(topics) -> str:
    return "," + ",".join(sorted(set(topics))) + "," if topics else ""


class PushSubscription(models.Model):
    endpoint = models.URLField("推送地址", max_length=1000, unique=True)
    p256dh = models.CharField("浏览器公钥", max_length=100)
    auth = models.CharField("认证密钥", max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="push_subscriptions",
                             verbose_name="用户")
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    topics = models.CharField("订阅主题", max_length=200, default=",breaking,")
    created_at = models.DateTimeField("订阅时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)
    last_success_at = models.DateTimeField("最近送达", null=True, blank=True)
    failure_count = models.PositiveIntegerField("连续失败次数", default=0)

    class Meta:
        verbose_name = "推送订阅"
        verbose_name_plural = "推送订阅"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.endpoint[:60]

    @property
    def topic_list(self) -> list[str]:
        return [t for t in self.topics.split(",") if t]

    def as_subscription_info(self) -> dict:
        """The shape pywebpush (and the browser's PushSubscription.toJSON()) uses."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushMessageStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    SENDING = "sending", "发送中"
    DONE = "done", "已完成"


class PushMessage(models.Model):
    topic = models.CharField("主题", max_length=20, default=DEFAULT_TOPIC)
    title = models.CharField("标题", max_length=30)
    body = models.CharField("内容", max_length=80)
    url = models.CharField("链接", max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="发送人")
    status = models.CharField("状态", max_length=10, choices=PushMessageStatus.choices,
                              default=PushMessageStatus.QUEUED)
    target_count = models.PositiveIntegerField("目标订阅数", default=0)
    delivered_count = models.PositiveIntegerField("送达", default=0)
    failed_count = models.PositiveIntegerField("失败", default=0)
    removed_count = models.PositiveIntegerField("已失效（删除）", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始发送", null=True, blank=True)
    finished_at = models.DateTimeField("发送完成", null=True, blank=True)

    class Meta:
        verbose_name = "推送消息"
        verbose_name_plural = "推送消息"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_count__lte=models.F("target_count")),
                name="push_message_delivered_lte_target"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def settled_count(self) -> int:
        return self.delivered_count + self.failed_count + self.removed_count
