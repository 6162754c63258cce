"""问政: citizen petitions (cases) routed along three tracks, answered in public, measured.

A ``Case`` has an internal ``state`` (the workflow) and a ``public_status`` derived from it
(待审核/已受理/办理中/已答复/已办结/不予受理); both move only through
``services.common.transition``, which also writes the append-only ``CaseEvent``. The public
timeline is the events with ``public=True`` that the newsroom has not withdrawn; every text
written by a unit reaches it only after the newsroom approves it (``CaseReply``,
``ProgressNote``), and every public text passes one masking function on the way out.

Tracks: ① simple — the newsroom dispatches to a responsible unit; ② hard — to the grid
leaders (三长) of the case's area; ③ complex — a numbered 舆情内参 goes to the propaganda
department, which issues a numbered 转办告知单 to a lead unit and assisting units.

Personal data (contact name and phone) is stored encrypted; precise coordinates are kept for
the handlers, the public sees coordinates rounded to about a kilometre. The retention purge
(``wenzheng_purge``) erases personal data and keeps the anonymised row for statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rongmei.core.uploads import stored_name
from rongmei.units.models import Unit

from .holidays import HolidayDay, HolidaySchedule  # noqa: F401 - models of the app
from .partners import Open311Partner, Open311Reporter  # noqa: F401 - models of the app
from .review import (  # noqa: F401 - models of the app, and the base of CaseReply
    AbuseReport,
    ProgressNote,
    ReportOutcome,
    ReviewStatus,
    UnitText,
)

USER = settings.AUTH_USER_MODEL


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    CHOICE = "choice", "单选"


def validate_field_schema(value) -> None:
    """Category-specific fields: a list of {name, label, type, required, choices}."""
    if not isinstance(value, list):
        raise ValidationError("附加字段应为列表")
    names = set()
    for item in value:
        if not isinstance(item, dict) or not item.get("name") or not item.get("label"):
            raise ValidationError("每个附加字段都需要 name 和 label")
        if not str(item["name"]).isidentifier():
            raise ValidationError(f"字段名“{item['name']}”只能包含字母、数字和下划线")
        if item["name"] in names:
            raise ValidationError(f"字段名“{item['name']}”重复")
        names.add(item["name"])
        if item.get("type", "text") not in FieldType.values:
            raise ValidationError(f"字段“{item['label']}”的类型不正确")
        if item.get("type") == FieldType.CHOICE and not item.get("choices"):
            raise ValidationError(f"单选字段“{item['label']}”需要选项")


class CaseCategory(models.Model):
    name = models.CharField("分类名称", max_length=30, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    fields = models.JSONField("附加字段", default=list, blank=True,
                              validators=[validate_field_schema],
                              help_text='如 [{"name": "plate", "label": "车牌号", "type": "text", '
                                        '"required": false}]；类型：text/number/date/choice')
    default_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="默认责任单位")
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "问政分类"
        verbose_name_plural = "问政分类"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    @property
    def status_label(self) -> str:
        return "启用" if self.is_active else "停用"


class PublicStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已受理"
    PROCESSING = "processing", "办理中"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"
    REJECTED = "rejected", "不予受理"


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", "待分拣"
    NEEDS_INFO = "needs_info", "待补充"
    ACCEPTED = "accepted", "待转办"
    BRIEFING = "briefing", "内参办理中"
    DISPATCHED = "dispatched", "待签收"
    IN_PROGRESS = "in_progress", "办理中"
    REPLY_REVIEW = "reply_review", "答复待审"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "已合并"
    INFO_TIMEOUT = "info_timeout", "补充超时"


PUBLIC_STATUS_OF_STATE = {
    CaseState.SUBMITTED: PublicStatus.PENDING,
    CaseState.NEEDS_INFO: PublicStatus.PENDING,
    CaseState.ACCEPTED: PublicStatus.ACCEPTED,
    CaseState.BRIEFING: PublicStatus.ACCEPTED,
    CaseState.MERGED: PublicStatus.ACCEPTED,
    CaseState.INFO_TIMEOUT: PublicStatus.CLOSED,
    CaseState.DISPATCHED: PublicStatus.PROCESSING,
    CaseState.IN_PROGRESS: PublicStatus.PROCESSING,
    CaseState.REPLY_REVIEW: PublicStatus.PROCESSING,
    CaseState.ANSWERED: PublicStatus.ANSWERED,
    CaseState.CLOSED: PublicStatus.CLOSED,
    CaseState.REJECTED: PublicStatus.REJECTED,
}


class Track(models.IntegerChoices):
    SIMPLE = 1, "①简单问题（直接转责任单位）"
    HARD = 2, "②困难问题（城乡三长）"
    COMPLEX = 3, "③复杂问题（舆情内参）"


class Priority(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class ContactPreference(models.TextChoices):
    SMS = "sms", "短信通知"
    PHONE = "phone", "可电话联系"
    APP = "app", "仅站内消息"


class Case(models.Model):
    receipt_no = models.CharField("受理编号", max_length=20, unique=True)
    user = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL,
                             related_name="wenzheng_cases", verbose_name="反映人")
    idempotency_key = models.CharField("提交标识", max_length=64)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name="分类")
    title = models.CharField("标题", max_length=60)
    description = models.TextField("内容", max_length=2000)
    extra = models.JSONField("附加信息", default=dict, blank=True)
    # Location: precise for handlers, rounded (about 1 km) for the public.
    address = models.CharField("地址", max_length=120, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    public_latitude = models.DecimalField("公开纬度", max_digits=6, decimal_places=2, null=True,
                                          blank=True)
    public_longitude = models.DecimalField("公开经度", max_digits=6, decimal_places=2, null=True,
                                           blank=True)
    area = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="wenzheng_area_cases", verbose_name="所在村（社区）/乡镇")
    subject_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="wenzheng_subject_cases",
                                     verbose_name="被反映单位")
    wants_public = models.BooleanField("愿意公开", default=True)
    contact_preference = models.CharField("联系方式偏好", max_length=8,
                                          choices=ContactPreference.choices,
                                          default=ContactPreference.SMS)
    contact_name_encrypted = models.TextField("联系人（加密）", blank=True)
    contact_phone_encrypted = models.TextField("联系电话（加密）", blank=True)

    state = models.CharField("内部状态", max_length=16, choices=CaseState.choices,
                             default=CaseState.SUBMITTED, db_index=True)
    public_status = models.CharField("公开状态", max_length=12, choices=PublicStatus.choices,
                                     default=PublicStatus.PENDING, db_index=True)
    track = models.PositiveSmallIntegerField("办理路径", choices=Track.choices, null=True,
                                             blank=True)
    priority = models.CharField("紧急程度", max_length=8, choices=Priority.choices,
                                default=Priority.NORMAL)
    is_public = models.BooleanField("公开展示", default=False,
                                    help_text="受理后且本人愿意公开时在问政广场展示")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_cases", verbose_name="合并至")
    reject_reason = models.CharField("不予受理理由", max_length=200, blank=True)
    referral = models.CharField("建议渠道", max_length=200, blank=True)
    info_request = models.CharField("需补充的内容", max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    follow_count = models.PositiveIntegerField("关注人数", default=0)
    same_count = models.PositiveIntegerField("我也遇到", default=0)

    # What the board shows, when the newsroom edited it (empty: the citizen's own text);
    # masked on the way out either way (selectors.public_text).
    public_title = models.CharField("公开标题", max_length=60, blank=True)
    public_description = models.TextField("公开内容", max_length=2000, blank=True)
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    reply_text = models.TextField("公开答复", blank=True)
    reply_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="答复单位")
    created_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("转办时间", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    purged_at = models.DateTimeField("个人信息清除时间", null=True, blank=True)

    class Meta:
        verbose_name = "问政"
        verbose_name_plural = "问政"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"],
                                    name="wenzheng_case_idempotent"),
            models.CheckConstraint(condition=Q(reopen_count__lte=2),
                                   name="wenzheng_case_reopen_lte_2"),
        ]
        indexes = [models.Index(fields=["is_public", "public_status", "-created_at"])]

    def __str__(self):
        return f"{self.receipt_no} {self.title}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "提交诉求"
    INFO_REQUESTED = "info_requested", "请补充信息"
    INFO_ADDED = "info_added", "补充信息"
    ACCEPTED = "accepted", "受理"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "合并重复诉求"
    DISPATCHED = "dispatched", "转办"
    BRIEFING_DRAFTED = "briefing_drafted", "起草舆情内参"
    BRIEFING_REVIEWED = "briefing_reviewed", "审核舆情内参"
    BRIEFING_SUBMITTED = "briefing_submitted", "报送宣传部"
    NOTICE_ISSUED = "notice_issued", "下发转办告知单"
    INSTRUCTION = "instruction", "领导批示"
    ACKNOWLEDGED = "acknowledged", "签收"
    CONTACTED = "contacted", "联系群众"
    PROGRESS = "progress", "办理进展"
    RETURN_REQUESTED = "return_requested", "申请退单"
    RETURN_DECIDED = "return_decided", "退单审核"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    EXTENSION_DECIDED = "extension_decided", "延期审核"
    REPLY_DRAFTED = "reply_drafted", "提交答复"
    REPLY_SENT_BACK = "reply_sent_back", "退回重办"
    ANSWERED = "answered", "公开答复"
    RATED = "rated", "评价"
    REOPENED = "reopened", "重新办理"
    CLOSED = "closed", "办结"
    REMINDED = "reminded", "催办"
    BREACHED = "breached", "超期"
    ESCALATED = "escalated", "督办"
    PURGED = "purged", "清除个人信息"
    PROGRESS_PUBLISHED = "progress_published", "公开办理进展"
    PROGRESS_REFUSED = "progress_refused", "进展不予公开"
    REDACTED = "redacted", "编辑公开内容"
    WITHDRAWN = "withdrawn", "撤下公开问政"
    ENTRY_WITHDRAWN = "entry_withdrawn", "撤下公开记录"
    REPORT_HANDLED = "report_handled", "处理举报"
    INFO_TIMEOUT = "info_timeout", "补充超时"
    DEADLINES_RECOMPUTED = "deadlines_recomputed", "按节假日安排重算期限"
    ACCOUNT_DELETED = "account_deleted", "反映人注销账号"


class CaseEvent(models.Model):
    """One step of a case's history. Append-only: never updated, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events",
                             verbose_name="问政")
    kind = models.CharField("事件", max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="操作人")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="单位")
    state_from = models.CharField("原状态", max_length=16, blank=True)
    state_to = models.CharField("新状态", max_length=16, blank=True)
    public = models.BooleanField("公开", default=False)
    public_text = models.CharField("公开说明", max_length=300, blank=True)
    note = models.TextField("内部说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # The one edit the log allows besides erasing personal data: the newsroom takes a public
    # entry off the timeline (the withdrawal itself is a new event).
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)

    class Meta:
        verbose_name = "问政事件"
        verbose_name_plural = "问政事件"
        ordering = ["created_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("问政事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("问政事件只能追加，不能删除")


def attachment_path(instance, filename):
    return stored_name("private/wenzheng", filename)


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "照片"
    VIDEO = "video", "视频"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments",
                             verbose_name="问政")
    kind = models.CharField("类型", max_length=8, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to=attachment_path)
    size = models.PositiveIntegerField("大小", default=0)
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "问政附件"
        verbose_name_plural = "问政附件"
        ordering = ["pk"]


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办单位"
    ASSIST = "assist", "协办单位"
    GRID = "grid", "网格（三长）"


class AssignmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", "待签收"
    ACKNOWLEDGED = "acknowledged", "办理中"
    RETURNED = "returned", "已退单"
    DONE = "done", "已完成"


class CaseAssignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name="问政")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="wenzheng_assignments",
                             verbose_name="承办单位")
    role = models.CharField("角色", max_length=8, choices=AssignmentRole.choices)
    status = models.CharField("状态", max_length=14, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.DISPATCHED, db_index=True)
    assigned_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="转办人")
    created_at = models.DateTimeField("转办时间", default=timezone.now)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name="签收人")
    contacted_at = models.DateTimeField("首次联系群众", null=True, blank=True)
    returned_at = models.DateTimeField("退单时间", null=True, blank=True)

    class Meta:
        verbose_name = "问政承办"
        verbose_name_plural = "问政承办"
        ordering = ["pk"]
        indexes = [models.Index(fields=["unit", "status"])]


class DeadlineStep(models.TextChoices):
    REVIEW = "review", "审核分拣"
    ACKNOWLEDGE = "acknowledge", "签收"
    REPLY = "reply", "答复"
    CLOSE = "close", "办结"
    INFO = "info", "群众补充信息"


class DeadlineRule(models.Model):
    """Working days allowed for a step; the most specific rule (track and priority) wins."""

    step = models.CharField("环节", max_length=12, choices=DeadlineStep.choices)
    track = models.PositiveSmallIntegerField("办理路径", choices=Track.choices, null=True,
                                             blank=True)
    priority = models.CharField("紧急程度", max_length=8, choices=Priority.choices, blank=True)
    working_days = models.PositiveSmallIntegerField("工作日")

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(fields=["step", "track", "priority"],
                                    name="wenzheng_deadline_rule_unique"),
            models.CheckConstraint(condition=Q(working_days__gte=1),
                                   name="wenzheng_deadline_rule_days_gte_1"),
        ]


class CaseDeadline(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines",
                             verbose_name="问政")
    assignment = models.ForeignKey(CaseAssignment, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="deadlines",
                                   verbose_name="承办")
    step = models.CharField("环节", max_length=12, choices=DeadlineStep.choices)
    due_at = models.DateTimeField("期限", db_index=True)
    working_days = models.PositiveSmallIntegerField("工作日", default=0)
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    reminded_at = models.DateTimeField("催办时间", null=True, blank=True)
    breached_at = models.DateTimeField("超期时间", null=True, blank=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField("延期工作日", default=0)
    # Counting starts here (the start day itself never counts).
    created_at = models.DateTimeField("起算时间", default=timezone.now)
    # A date someone set by hand (a 转办告知单's 办理期限): never recomputed.
    fixed = models.BooleanField("指定日期", default=False)

    class Meta:
        verbose_name = "办理期限"
        verbose_name_plural = "办理期限"
        ordering = ["due_at"]

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class RequestKind(models.TextChoices):
    RETURN = "return", "退单"
    EXTENSION = "extension", "延期"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"


class UnitRequest(models.Model):
    """A unit asks to return a case (退单, "not ours") or for more time (延期)."""

    assignment = models.ForeignKey(CaseAssignment, on_delete=models.CASCADE,
                                   related_name="requests", verbose_name="承办")
    kind = models.CharField("类型", max_length=10, choices=RequestKind.choices)
    reason = models.CharField("理由", max_length=300)
    days = models.PositiveSmallIntegerField("延期工作日", default=0)
    status = models.CharField("状态", max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING, db_index=True)
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="申请人")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="审核人")
    decision_note = models.CharField("审核意见", max_length=200, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "退单/延期申请"
        verbose_name_plural = "退单/延期申请"
        ordering = ["-created_at"]


class ReplyStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已公开"
    SENT_BACK = "sent_back", "已退回重办"


class CaseReply(UnitText):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies",
                             verbose_name="问政")
    assignment = models.ForeignKey(CaseAssignment, on_delete=models.CASCADE,
                                   related_name="replies", verbose_name="承办")
    text = models.TextField("答复内容", max_length=3000)
    status = models.CharField("状态", max_length=10, choices=ReplyStatus.choices,
                              default=ReplyStatus.PENDING, db_index=True)
    edited = models.BooleanField("审核时修改过", default=False)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["-created_at"]


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEW = "review", "待审核"
    APPROVED = "approved", "审核通过"
    SUBMITTED = "submitted", "已报送"


class Briefing(models.Model):
    """舆情内参: the newsroom's numbered write-up of a complex case for 宣传部."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="briefing",
                                verbose_name="问政")
    year = models.PositiveSmallIntegerField("年份")
    seq = models.PositiveIntegerField("序号")
    title = models.CharField("标题", max_length=80)
    body = models.TextField("正文", max_length=6000)
    status = models.CharField("状态", max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFT)
    drafted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="起草人")
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="审核人")
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    created_at = models.DateTimeField("起草时间", default=timezone.now)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)

    class Meta:
        verbose_name = "舆情内参"
        verbose_name_plural = "舆情内参"
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"],
                                               name="wenzheng_briefing_number")]

    @property
    def number(self) -> str:
        return f"舆情内参〔{self.year}〕第{self.seq}期"


class TransferNotice(models.Model):
    """转办告知单: 宣传部 hands a complex case to a lead unit and assisting units."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="notice",
                                verbose_name="问政")
    briefing = models.OneToOneField(Briefing, on_delete=models.PROTECT, related_name="notice",
                                    verbose_name="舆情内参")
    year = models.PositiveSmallIntegerField("年份")
    seq = models.PositiveIntegerField("序号")
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="主办单位")
    assisting_units = models.ManyToManyField(Unit, blank=True, related_name="+",
                                             verbose_name="协办单位")
    copied_to = models.JSONField("抄送领导", default=list, blank=True)
    requirements = models.TextField("办理要求", max_length=2000, blank=True)
    due_at = models.DateTimeField("办理期限")
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="签发人")
    issued_at = models.DateTimeField("下发时间", default=timezone.now)

    class Meta:
        verbose_name = "转办告知单"
        verbose_name_plural = "转办告知单"
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"],
                                               name="wenzheng_notice_number")]

    @property
    def number(self) -> str:
        return f"舆情处置转办〔{self.year}〕第{self.seq}号"


class Instruction(models.Model):
    """批示: a county leader's instruction on a case, as recorded by staff."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="instructions",
                             verbose_name="问政")
    leader = models.CharField("批示领导", max_length=40)
    text = models.TextField("批示内容", max_length=1000)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="录入人")
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["created_at"]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class CaseRating(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings",
                             verbose_name="问政")
    round = models.PositiveSmallIntegerField("办理轮次", default=0)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices)
    resolved = models.BooleanField("问题已解决")
    comment = models.CharField("评价", max_length=300, blank=True)
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [models.UniqueConstraint(fields=["case", "round"],
                                               name="wenzheng_rating_once_per_round")]


class FollowKind(models.TextChoices):
    SAME = "same", "我也遇到"
    FOLLOW = "follow", "关注"


class CaseFollow(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follows",
                             verbose_name="问政")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                             verbose_name="居民")
    kind = models.CharField("类型", max_length=8, choices=FollowKind.choices)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "关注"
        verbose_name_plural = "关注"
        constraints = [models.UniqueConstraint(fields=["case", "user", "kind"],
                                               name="wenzheng_follow_once")]
