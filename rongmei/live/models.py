"""直播: live rooms, what goes on in them, and what the media server told us.

A ``LiveRoom`` is one event: a video stream pushed by RTMP to the media server (nginx-rtmp
by default) and watched as HLS, or a 图文直播 (live blog) without video. Its ``state`` moves
预告 → 直播中 → 已结束 → 回放 only in ``services`` (one transition function); the media server's
callbacks (``ingest``) are recorded as ``IngestEvent`` rows whether accepted or refused.

What happens in the room: ``LiveComment`` (弹幕 and the list under the player, moderated
先审后发 or 先发后审 per room), ``LiveMute``, ``LiveNotice`` (announcements and pinned
messages), ``LivePost`` (the live blog), ``LiveProduct`` (直播带货: plain links into the mall,
which this app does not import), ``LiveDraw`` (抽奖), ``LiveReminder`` (预约) and
``PushTarget`` (多平台同步直播). Fast-moving counts (viewers, likes) live in Redis while
the room is on and are written back here (``peak_viewers``, ``total_viewers``, ``likes``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RoomKind(models.TextChoices):
    VIDEO = "video", "视频直播"
    BLOG = "blog", "图文直播"


class RoomState(models.TextChoices):
    SCHEDULED = "scheduled", "预告"
    LIVE = "live", "直播中"
    ENDED = "ended", "已结束"
    REPLAY = "replay", "回放"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"


class CommentMode(models.TextChoices):
    PRE = "pre", "先审后发"
    POST = "post", "先发后审"


class ReplayStatus(models.TextChoices):
    NONE = "none", "无"
    WAITING = "waiting", "等待录像"
    MAKING = "making", "生成中"
    DONE = "done", "已生成"
    FAILED = "failed", "生成失败"


class LiveRoom(models.Model):
    kind = models.CharField("类型", max_length=8, choices=RoomKind.choices,
                            default=RoomKind.VIDEO)
    title = models.CharField("标题", max_length=60)
    intro = models.TextField("简介", max_length=500, blank=True)
    cover = models.ForeignKey("wagtailimages.Image", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name="封面图")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="live_rooms", verbose_name="所属单位",
                             help_text="分端直播归属其单位并须经中心审核；中心直播留空")
    starts_at = models.DateTimeField("计划开播时间")
    state = models.CharField("状态", max_length=10, choices=RoomState.choices,
                             default=RoomState.SCHEDULED)
    review_status = models.CharField("审核状态", max_length=10, choices=ReviewStatus.choices,
                                     default=ReviewStatus.APPROVED)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    started_at = models.DateTimeField("开播时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    # The stream: a public name (it appears in HLS paths) and a secret key per room.
    stream_name = models.CharField("流名称", max_length=32, unique=True)
    stream_key_hash = models.CharField(max_length=64, blank=True)
    stream_key_encrypted = models.TextField(blank=True)
    key_rotated_at = models.DateTimeField("密钥更新时间", null=True, blank=True)
    stream_online = models.BooleanField("正在推流", default=False)
    stream_offline_at = models.DateTimeField("断流时间", null=True, blank=True)
    # The media server's id of the connection on air: a second encoder with the same key is
    # refused while this one streams, and its ending does not take the room off air.
    stream_client_id = models.CharField("推流连接", max_length=40, blank=True, default="")
    # Comments.
    comment_mode = models.CharField("评论方式", max_length=4, choices=CommentMode.choices,
                                    default=CommentMode.PRE)
    comments_closed = models.BooleanField("关闭评论", default=False)
    require_realname = models.BooleanField("实名后才能评论", default=False)
    # Replay.
    replay_publish = models.BooleanField("自动发布回放", default=True,
                                         help_text="不勾选则回放稿件保存为草稿，由编辑审核后发布")
    replay_status = models.CharField("回放", max_length=10, choices=ReplayStatus.choices,
                                     default=ReplayStatus.NONE)
    replay_error = models.CharField("回放错误", max_length=300, blank=True)
    replay_asset = models.ForeignKey("media.MediaAsset", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="回放视频")
    replay_page = models.ForeignKey("wagtailcore.Page", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="回放稿件")
    # Figures written back from Redis (real numbers: distinct devices, counted taps).
    peak_viewers = models.PositiveIntegerField("最高同时在线", default=0)
    total_viewers = models.PositiveIntegerField("累计观看", default=0)
    likes = models.PositiveBigIntegerField("点赞", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "直播间"
        verbose_name_plural = "直播间"
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["review_status", "state", "starts_at"],
                                name="live_room_listing")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=RoomState.LIVE) | Q(started_at__isnull=False),
                name="live_room_live_has_start"),
            models.CheckConstraint(
                condition=~Q(state__in=[RoomState.ENDED, RoomState.REPLAY])
                | Q(ended_at__isnull=False),
                name="live_room_ended_has_end"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.review_status == ReviewStatus.APPROVED

    @property
    def is_video(self) -> bool:
        return self.kind == RoomKind.VIDEO

    def get_absolute_url(self) -> str:
        return f"/live/{self.pk}/"

    @property
    def hls_url(self) -> str:
        return f"{settings.LIVE_HLS_BASE_URL.rstrip('/')}/{self.stream_name}/index.m3u8"

    @property
    def state_label(self) -> str:
        if self.state == RoomState.LIVE and self.is_video and not self.stream_online:
            return "主播暂时离开"
        return self.get_state_display()


class IngestEvent(models.Model):
    """One callback from the media server, accepted or refused (the ingest audit log)."""

    room = models.ForeignKey(LiveRoom, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="ingest_events", verbose_name="直播间")
    event = models.CharField("事件", max_length=20)
    stream_name = models.CharField("流名称", max_length=64, blank=True)
    accepted = models.BooleanField("接受")
    code = models.CharField("结果代码", max_length=40, blank=True)
    message = models.CharField("说明", max_length=200, blank=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "推流记录"
        verbose_name_plural = "推流记录"
        ordering = ["-created_at", "-pk"]


class RecordingStatus(models.TextChoices):
    RECORDING = "recording", "录制中"
    DONE = "done", "已完成"


class Recording(models.Model):
    """One recorded file of a room (a stream that drops and resumes leaves several)."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="recordings",
                             verbose_name="直播间")
    path = models.CharField("文件", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=RecordingStatus.choices,
                              default=RecordingStatus.RECORDING)
    started_at = models.DateTimeField("开始", default=timezone.now)
    finished_at = models.DateTimeField("结束", null=True, blank=True)

    class Meta:
        verbose_name = "录像"
        verbose_name_plural = "录像"
        ordering = ["started_at", "pk"]


class CommentStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已发布"
    REMOVED = "removed", "已删除"


class LiveComment(models.Model):
    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="comments",
                             verbose_name="直播间")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="live_comments", verbose_name="作者")
    body = models.CharField("内容", max_length=200)
    status = models.CharField("状态", max_length=10, choices=CommentStatus.choices,
                              default=CommentStatus.PENDING)
    flagged = models.BooleanField("命中待审词", default=False)
    wordgate_hits = models.JSONField("命中词", default=list, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="审核人")
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "直播评论"
        verbose_name_plural = "直播评论"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["room", "status", "-created_at"],
                                name="live_comment_room_status")]

    def __str__(self):
        return self.body[:30]


class LiveMute(models.Model):
    """A resident who may not comment in a room (禁言)."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="mutes",
                             verbose_name="直播间")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name="用户")
    reason = models.CharField("原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="操作人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "禁言"
        verbose_name_plural = "禁言"
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="live_mute_once")]


class ModerationLog(models.Model):
    """Every staff action in a room (append-only)."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="moderation_log",
                             verbose_name="直播间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="操作人")
    action = models.CharField("操作", max_length=30)
    detail = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "直播操作记录"
        verbose_name_plural = "直播操作记录"
        ordering = ["-created_at", "-pk"]


class LiveNotice(models.Model):
    """An announcement (公告) or pinned message: a priority message of the comment channel."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="notices",
                             verbose_name="直播间")
    body = models.CharField("内容", max_length=200)
    pinned = models.BooleanField("置顶", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="发布人")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "直播公告"
        verbose_name_plural = "直播公告"
        ordering = ["-created_at", "-pk"]


class LivePost(models.Model):
    """One timestamped entry of a 图文直播 (live blog), by any reporter of the room."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="posts",
                             verbose_name="直播间")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="记者")
    body = models.TextField("内容", max_length=2000)
    image = models.ForeignKey("wagtailimages.Image", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name="图片")
    pinned = models.BooleanField("置顶", default=False)
    is_removed = models.BooleanField("已删除", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "图文直播条目"
        verbose_name_plural = "图文直播条目"
        ordering = ["-pinned", "-created_at", "-pk"]


class LiveProduct(models.Model):
    """直播带货: a product pinned in the room, linking to the mall's own product page (and
    from there its own order path). Stored as plain text and a link: live does not import
    the mall."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="products",
                             verbose_name="直播间")
    title = models.CharField("商品名称", max_length=60)
    price_text = models.CharField("价格", max_length=30, blank=True, help_text="如 99积分、￥39.9")
    url = models.CharField("商品链接", max_length=300,
                           help_text="站内商品页路径，如 /mall/products/12/")
    image_url = models.CharField("图片地址", max_length=300, blank=True)
    is_active = models.BooleanField("上架中", default=True)
    pinned_at = models.DateTimeField("讲解时间", null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField("添加时间", default=timezone.now)

    class Meta:
        verbose_name = "直播商品"
        verbose_name_plural = "直播商品"
        ordering = ["sort_order", "pk"]


class DrawStatus(models.TextChoices):
    OPEN = "open", "待开奖"
    DRAWN = "drawn", "已开奖"


class LiveDraw(models.Model):
    """抽奖: the commitment sha256(seed) is announced when the draw is created; at the draw
    the entrants are sealed (their digest recorded), the seed revealed, and the winners are
    the entrants ordered by HMAC-SHA256(seed, entrant) — anyone can recompute it."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="draws",
                             verbose_name="直播间")
    prize = models.CharField("奖品", max_length=60)
    winners_count = models.PositiveSmallIntegerField("中奖人数")
    status = models.CharField("状态", max_length=8, choices=DrawStatus.choices,
                              default=DrawStatus.OPEN)
    seed = models.CharField(max_length=64)
    commitment = models.CharField("承诺值", max_length=64)
    entries_digest = models.CharField("参与名单摘要", max_length=64, blank=True)
    entries_count = models.PositiveIntegerField("参与人数", default=0)
    winners = models.JSONField("中奖者", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    drawn_at = models.DateTimeField("开奖时间", null=True, blank=True)

    class Meta:
        verbose_name = "直播抽奖"
        verbose_name_plural = "直播抽奖"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(winners_count__gte=1),
                                              name="live_draw_has_winners")]


class LiveReminder(models.Model):
    """预约: tell this resident when the room starts (in the app, and by Web Push)."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="reminders",
                             verbose_name="直播间")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="live_reminders", verbose_name="用户")
    created_at = models.DateTimeField("预约时间", default=timezone.now)
    notified_at = models.DateTimeField("提醒时间", null=True, blank=True)
    seen_at = models.DateTimeField("查看时间", null=True, blank=True)

    class Meta:
        verbose_name = "直播预约"
        verbose_name_plural = "直播预约"
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="live_remind_once")]


class TargetStatus(models.TextChoices):
    IDLE = "idle", "未开始"
    CONNECTING = "connecting", "连接中"
    LIVE = "live", "推流中"
    FAILED = "failed", "失败"
    STOPPED = "stopped", "已停止"


class PushTarget(models.Model):
    """多平台同步直播: one platform the media server relays the room's stream to (省级平台,
    抖音, 视频号 …). The push URL holds the platform's own key, so it is stored encrypted."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="push_targets",
                             verbose_name="直播间")
    name = models.CharField("平台名称", max_length=30)
    url_encrypted = models.TextField("推流地址（加密）")
    url_display = models.CharField("推流地址（脱敏）", max_length=120)
    enabled = models.BooleanField("启用", default=True)
    status = models.CharField("状态", max_length=12, choices=TargetStatus.choices,
                              default=TargetStatus.IDLE)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    status_at = models.DateTimeField("状态时间", null=True, blank=True)

    class Meta:
        verbose_name = "同步推流目标"
        verbose_name_plural = "同步推流目标"
        ordering = ["pk"]
