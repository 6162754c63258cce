"""互动: what residents do with a published story — read, like, favourite, share, comment,
report — and what the newsroom does back (moderate, reply, handle reports).

Everything is keyed by ``wagtailcore.Page``, so any page type (article, photo set, video,
audio) gets engagement without this app knowing the newsroom's models.

Invariants the database holds: one like and one favourite per (user, page); one report per
(reporter, comment) and per (reporter, page); one ``ReadFlush`` per flushed batch of read
counts (so a batch is applied exactly once, even if a flush dies half-way and is retried).
Counters in ``PageStats`` move only by F-expressions in the same transaction as the row that
justifies them. Every staff action leaves a ``ModerationLog`` row (append-only).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page


class PageStats(models.Model):
    """The public counts of one page. ``comments`` counts visible (approved, not hidden by
    reports) comments; ``reads`` lags the beacons by at most one flush interval."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, primary_key=True,
                                related_name="engage_stats", verbose_name="页面")
    reads = models.PositiveBigIntegerField("阅读", default=0)
    likes = models.PositiveIntegerField("点赞", default=0)
    favourites = models.PositiveIntegerField("收藏", default=0)
    shares = models.PositiveIntegerField("分享", default=0)
    comments = models.PositiveIntegerField("评论", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "互动统计"
        verbose_name_plural = "互动统计"

    def __str__(self):
        return f"{self.page_id}: 阅读{self.reads} 点赞{self.likes}"


class ReadFlush(models.Model):
    """One applied batch of pending read counts (its Redis key's batch id)."""

    batch = models.CharField(max_length=40, unique=True)
    pages = models.PositiveIntegerField(default=0)
    reads = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "阅读数写入批次"
        verbose_name_plural = "阅读数写入批次"


class ReactionKind(models.TextChoices):
    LIKE = "like", "点赞"
    FAVOURITE = "favourite", "收藏"


class PageReaction(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="engage_reactions",
                             verbose_name="页面")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="engage_reactions", verbose_name="用户")
    kind = models.CharField("类型", max_length=12, choices=ReactionKind.choices)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "点赞和收藏"
        verbose_name_plural = "点赞和收藏"
        constraints = [models.UniqueConstraint(fields=["user", "page", "kind"],
                                               name="engage_one_reaction_per_user_page")]
        indexes = [models.Index(fields=["user", "kind", "-created_at", "-id"],
                                name="engage_reaction_user_feed")]


class ShareChannel(models.TextChoices):
    WECHAT = "wechat", "微信好友"
    MOMENTS = "moments", "朋友圈"
    WEIBO = "weibo", "微博"
    COPY_LINK = "copy_link", "复制链接"
    SYSTEM = "system", "系统分享"


class ShareEvent(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="engage_shares",
                             verbose_name="页面")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name="用户")
    channel = models.CharField("渠道", max_length=12, choices=ShareChannel.choices)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "分享记录"
        verbose_name_plural = "分享记录"
        indexes = [models.Index(fields=["page", "channel"], name="engage_share_page_channel")]


class CommentStatus(models.TextChoices):
    PENDING = "pending", "审核中"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"
    REMOVED = "removed", "已删除"


class Comment(models.Model):
    """A resident's comment; public only when approved and not hidden by reports."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="engage_comments",
                             verbose_name="页面")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="engage_comments", verbose_name="作者")
    body = models.TextField("内容", max_length=500)
    status = models.CharField("状态", max_length=10, choices=CommentStatus.choices,
                              default=CommentStatus.PENDING, db_index=True)
    flagged = models.BooleanField("敏感词待审", default=False,
                                  help_text="命中“需审核”敏感词，审核时请重点查看")
    wordgate_hits = models.JSONField("敏感词命中", default=list, blank=True)
    hidden_by_reports = models.BooleanField("因举报暂时隐藏", default=False)
    reject_reason = models.CharField("驳回或删除原因", max_length=200, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name="审核人")
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("发表时间", default=timezone.now)

    class Meta:
        verbose_name = "评论"
        verbose_name_plural = "评论"
        indexes = [
            models.Index(fields=["page", "status", "-created_at", "-id"],
                         name="engage_comment_page_feed"),
            models.Index(fields=["status", "-created_at"], name="engage_comment_queue"),
            models.Index(fields=["author", "page", "status"], name="engage_comment_author"),
        ]

    def __str__(self):
        return self.body[:30]

    @property
    def is_public(self) -> bool:
        return self.status == CommentStatus.APPROVED and not self.hidden_by_reports


class CommentReply(models.Model):
    """官方回复: the newsroom's answer, shown under the comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="replies",
                                verbose_name="评论")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name="回复人")
    body = models.TextField("回复内容", max_length=500)
    created_at = models.DateTimeField("回复时间", default=timezone.now)

    class Meta:
        verbose_name = "官方回复"
        verbose_name_plural = "官方回复"
        ordering = ["created_at", "pk"]


class PageCommentSetting(models.Model):
    """Comments on a page are open unless a row here closes them."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, primary_key=True,
                                related_name="engage_comment_setting", verbose_name="页面")
    comments_closed = models.BooleanField("关闭评论", default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="操作人")
    changed_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "评论开关"
        verbose_name_plural = "评论开关"


class ReportCategory(models.TextChoices):
    ILLEGAL = "illegal", "违法违规"
    PORN = "porn", "色情低俗"
    ABUSE = "abuse", "人身攻击"
    RUMOR = "rumor", "谣言不实"
    SPAM = "spam", "广告骚扰"
    OTHER = "other", "其他"


class ReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    DISMISSED = "dismissed", "已驳回"
    ACTIONED = "actioned", "已处理"


class Report(models.Model):
    """举报 of a comment (``comment`` set) or of a page (``comment`` empty)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="engage_reports",
                             verbose_name="页面")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reports", verbose_name="评论")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+", verbose_name="举报人")
    category = models.CharField("举报类型", max_length=10, choices=ReportCategory.choices)
    text = models.CharField("补充说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.OPEN, db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name="处理人")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("举报时间", default=timezone.now)

    class Meta:
        verbose_name = "举报"
        verbose_name_plural = "举报"
        constraints = [
            models.UniqueConstraint(fields=["reporter", "comment"],
                                    condition=Q(comment__isnull=False),
                                    name="engage_one_report_per_comment"),
            models.UniqueConstraint(fields=["reporter", "page"],
                                    condition=Q(comment__isnull=True),
                                    name="engage_one_report_per_page"),
        ]

    @property
    def target_label(self) -> str:
        return "评论" if self.comment_id else "稿件"


class ModerationAction(models.TextChoices):
    APPROVE = "approve", "通过评论"
    REJECT = "reject", "驳回评论"
    REMOVE = "remove", "删除评论"
    REPLY = "reply", "官方回复"
    CLOSE = "close", "关闭评论"
    OPEN = "open", "开启评论"
    DISMISS_REPORT = "dismiss_report", "驳回举报"
    ACTION_REPORT = "action_report", "举报成立"
    UNPUBLISH = "unpublish", "因举报撤下稿件"


class ModerationLog(models.Model):
    """Append-only audit of every staff action in this app."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name="操作人")
    action = models.CharField("操作", max_length=16, choices=ModerationAction.choices)
    page = models.ForeignKey(Page, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name="页面")
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name="评论")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name="举报")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "互动操作记录"
        verbose_name_plural = "互动操作记录"
        ordering = ["-created_at", "-pk"]
