"""Outlets (分发渠道) a published story is delivered to: WeChat official account, Weibo, Douyin,
WeChat video account, signed webhooks. Pull outlets (the app, website, RSS, ninjs JSON) are
served from published pages and need no row here.
"""

from django.db import models


class OutletKind(models.TextChoices):
    WECHAT_MP = "wechat_mp", "微信公众号"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    WECHAT_CHANNELS = "wechat_channels", "微信视频号"
    WEBHOOK = "webhook", "Webhook（签名推送）"


class Outlet(models.Model):
    name = models.CharField("渠道名称", max_length=40)
    kind = models.CharField("类型", max_length=20, choices=OutletKind.choices)
    is_active = models.BooleanField("启用", default=True)
    api_base = models.URLField("接口地址", blank=True,
                               help_text="留空使用官方地址；测试或私有部署时可改为其他地址")
    app_id = models.CharField("AppID / AppKey / Client Key", max_length=100, blank=True)
    # Fernet-encrypted (rongmei.core.crypto); never shown back in the console.
    secret_encrypted = models.TextField("密钥（加密存储）", blank=True, editable=False)
    settings = models.JSONField("其他设置", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "分发渠道"
        verbose_name_plural = "分发渠道"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    # --- credentials ------------------------------------------------------------------------
    # The secret (AppSecret, OAuth2 access token, webhook signing key) is kept Fernet-encrypted
    # and only ever decrypted in memory by the transmitter that needs it.

    def set_secret(self, value: str) -> None:
        from rongmei.core.crypto import encrypt

        self.secret_encrypted = encrypt(value) if value else ""

    def get_secret(self) -> str:
        from rongmei.core.crypto import decrypt

        return decrypt(self.secret_encrypted) if self.secret_encrypted else ""

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class SnapshotChangeRefused(Exception):
    """Raised when code tries to change or delete a stored snapshot."""


class Snapshot(models.Model):
    """An immutable copy of one published version of a story (Superdesk's published item).

    The newsroom hands over a plain dict (docs/architecture.md, "Outlets"); it is stored as
    it was sent, and every delivery formats from it, so what an outlet got can always be
    shown afterwards.
    """

    story_key = models.CharField("稿件标识", max_length=100, db_index=True)
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("内容快照")
    correction_note = models.TextField("更正说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "发布快照"
        verbose_name_plural = "发布快照"
        ordering = ["story_key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["story_key", "version"],
                                    name="outlets_snapshot_story_version_unique"),
        ]

    def __str__(self):
        return f"{self.headline}（第{self.version}版）"

    @property
    def headline(self) -> str:
        return str(self.data.get("headline", ""))

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise SnapshotChangeRefused("发布快照一经保存不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SnapshotChangeRefused("发布快照不能删除")


class DeliveryAction(models.TextChoices):
    PUBLISH = "publish", "发布"
    UPDATE = "update", "更新"
    CORRECTION = "correction", "更正"
    TAKEDOWN = "takedown", "撤稿"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    IN_PROGRESS = "in_progress", "发送中"
    RETRYING = "retrying", "等待重试"
    SUCCESS = "success", "成功"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


# Deliveries a worker may pick up (when due) and that retract() cancels instead of undoing.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# Actions after which the outlet holds (a version of) the story.
PLACING_ACTIONS = (DeliveryAction.PUBLISH, DeliveryAction.UPDATE, DeliveryAction.CORRECTION)


class Delivery(models.Model):
    """One (snapshot, outlet, action) transmission: Superdesk's publish-queue item."""

    snapshot = models.ForeignKey(Snapshot, verbose_name="快照", on_delete=models.PROTECT,
                                 related_name="deliveries")
    outlet = models.ForeignKey(Outlet, verbose_name="渠道", on_delete=models.PROTECT,
                               related_name="deliveries")
    story_key = models.CharField("稿件标识", max_length=100, db_index=True)
    action = models.CharField("动作", max_length=12, choices=DeliveryAction.choices)
    payload = models.JSONField("发送内容", default=dict, blank=True)
    status = models.CharField("状态", max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    last_error = models.CharField("错误说明", max_length=300, blank=True)
    last_error_detail = models.TextField("错误详情", blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # Progress of multi-step remote work (uploaded media ids, publish id …) so a retry
    # resumes instead of uploading twice.
    remote_state = models.JSONField("平台中间状态", default=dict, blank=True)
    remote_id = models.CharField("平台内容ID", max_length=200, blank=True)
    remote_url = models.URLField("平台链接", max_length=500, blank=True)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "分发记录"
        verbose_name_plural = "分发记录"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "outlet", "action"],
                                    name="outlets_delivery_snapshot_outlet_action_unique"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="outlets_delivery_due_idx")]

    def __str__(self):
        return f"{self.outlet} · {self.get_action_display()} · {self.snapshot}"

    @property
    def can_retry(self) -> bool:
        return self.status in (DeliveryStatus.FAILED, DeliveryStatus.RETRYING)

    @property
    def can_cancel(self) -> bool:
        return self.status in OPEN_STATUSES


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: the attempt log shown on the delivery screen."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        WAITING = "waiting", "等待平台处理"
        RETRY = "retry", "可重试错误"
        FAILED = "failed", "不可重试错误"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField("第几次")
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    message = models.CharField("说明", max_length=300, blank=True)
    detail = models.TextField("详情", blank=True)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间")

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["delivery", "pk"]


class Retraction(models.Model):
    """A 撤稿 decision. Kept even when no outlet held the story, so a delivery that was
    already on its way and lands afterwards is taken down as well."""

    story_key = models.CharField("稿件标识", max_length=100, db_index=True)
    reason = models.CharField("撤稿原因", max_length=200)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("撤稿时间", auto_now_add=True)

    class Meta:
        verbose_name = "撤稿记录"
        verbose_name_plural = "撤稿记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.story_key}：{self.reason}"


class OutletFigure(models.Model):
    """One day of an outlet account's figures, fetched from its platform by a timer
    (``rongmei outlets_figures``). A fetch that failed keeps its Chinese reason in ``note``
    and empty figures, so the console shows what is missing and why."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="figures",
                               verbose_name="渠道")
    day = models.DateField("日期")
    followers = models.PositiveBigIntegerField("粉丝数", null=True, blank=True)
    reads = models.PositiveBigIntegerField("阅读/播放", null=True, blank=True)
    note = models.CharField("获取说明", max_length=200, blank=True)
    fetched_at = models.DateTimeField("获取时间")

    class Meta:
        verbose_name = "渠道数据"
        verbose_name_plural = "渠道数据"
        ordering = ["-day", "outlet"]
        constraints = [models.UniqueConstraint(fields=["outlet", "day"],
                                               name="outlets_one_figure_per_day")]

    def __str__(self):
        return f"{self.outlet} {self.day}"
