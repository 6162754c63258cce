"""What a resident does: submit a case (idempotent), add information when asked, rate the
reply, reopen (at most twice), 我也遇到/关注, report abuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core import crypto, ratelimit
from rongmei.core.codes import short_code
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.uploads import MAX_VIDEO_BYTES, clean_image, clean_video
from rongmei.units.models import Unit

from ..models import (
    AbuseReport,
    AssignmentRole,
    AssignmentStatus,
    AttachmentKind,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseFollow,
    CaseRating,
    CaseState,
    ContactPreference,
    DeadlineStep,
    EventKind,
    FieldType,
    FollowKind,
    PublicStatus,
    ReplyStatus,
    Satisfaction,
)
from . import notify
from .common import (
    LIVE,
    clean_text,
    deadline_meet,
    deadline_open,
    open_handling_deadlines,
    own_case,
    transition,
)

MAX_PHOTOS = 6
MAX_REOPENS = 2


def _rate_limit(user, scope: str, *, per_hour: int, per_day: int) -> None:
    ratelimit.hit(f"wz-{scope}-h", str(user.pk), limit=per_hour, window=3600,
                  message="操作太频繁，请一小时后再试")
    ratelimit.hit(f"wz-{scope}-d", str(user.pk), limit=per_day, window=86400,
                  message="今天的提交次数已达上限，请明天再试")


def _coordinate(value, *, field: str, low: float, high: float):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite():  # NaN and Infinity compare with nothing (a 500 once)
            raise InvalidOperation
        number = number.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_location", "位置坐标格式不正确", field=field) from None
    if not (low <= number <= high):
        raise ServiceError("invalid_location", "位置坐标超出范围", field=field)
    return number


def clean_extra(category: CaseCategory, raw: dict | None) -> dict:
    """Check the category's own fields; unknown keys are dropped."""
    raw = raw or {}
    values = {}
    for spec in category.fields or []:
        name, label = spec["name"], spec["label"]
        value = str(raw.get(name, "") or "").strip()
        if not value:
            if spec.get("required"):
                raise ServiceError("required", f"请填写{label}", field=f"extra.{name}")
            continue
        kind = spec.get("type", FieldType.TEXT)
        if kind == FieldType.NUMBER:
            try:
                Decimal(value)
            except InvalidOperation:
                raise ServiceError("invalid", f"{label}应为数字", field=f"extra.{name}") from None
        elif kind == FieldType.DATE:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ServiceError("invalid", f"{label}应为日期（如 2026-05-01）",
                                   field=f"extra.{name}") from None
        elif kind == FieldType.CHOICE and value not in spec.get("choices", []):
            raise ServiceError("invalid", f"请从选项中选择{label}", field=f"extra.{name}")
        else:
            value = clean_text(value, field=f"extra.{name}", label=label, max_length=100)
        values[name] = value
    return values


def _check_video_size(upload) -> None:
    """The cheap check before the rate limit; what the file is, ffprobe decides after it."""
    if (getattr(upload, "size", 0) or 0) > MAX_VIDEO_BYTES:
        raise ServiceError("video_too_large", "视频不能超过30MB", field="video")


def _prepare_photos(photos) -> list:
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ServiceError("too_many_photos", f"最多上传{MAX_PHOTOS}张照片", field="photos")
    return [clean_image(p, field="photos") for p in photos]


def _save_attachments(case, user, cleaned_photos, video=None) -> None:
    for content in cleaned_photos:
        attachment = CaseAttachment(case=case, kind=AttachmentKind.PHOTO, added_by=user,
                                    size=content.size)
        attachment.file.save(content.name, content, save=False)
        attachment.save()
    if video is not None:  # already remuxed without metadata (uploads.clean_video)
        attachment = CaseAttachment(case=case, kind=AttachmentKind.VIDEO, added_by=user,
                                    size=video.size)
        attachment.file.save(video.name, video, save=False)
        attachment.save()


def _receipt_no(now) -> str:
    stamp = timezone.localtime(now).strftime("%Y%m%d")
    for _ in range(10):
        number = f"WZ{stamp}{short_code(5)}"
        if not Case.objects.filter(receipt_no=number).exists():
            return number
    raise ServiceError("busy", "系统繁忙，请稍后再试", status=503)


def case_submit(*, user, category_id, title: str, description: str, key: str,
                extra: dict | None = None, address: str = "", latitude=None, longitude=None,
                area_id=None, wants_public: bool = True,
                contact_preference: str = ContactPreference.SMS, contact_name: str = "",
                contact_phone: str = "", photos=None, video=None) -> Case:
    """Submit a case. Idempotent by (user, key): a retry returns the first case.

    Photos are decoded and re-encoded without metadata (EXIF GPS included), and a video is
    remuxed without its container metadata (location included), before anything is written;
    photo GPS is never read here — the form only offers it as a suggestion.
    """
    if not user.is_authenticated:
        raise ServiceError("login_required", "请先登录", status=401)
    key = str(key or "").strip()
    if not key or len(key) > 64:
        raise ServiceError("key_required", "提交标识无效，请刷新页面后重试", field="key")
    existing = Case.objects.filter(user=user, idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        category = CaseCategory.objects.get(pk=int(category_id), is_active=True)
    except (CaseCategory.DoesNotExist, TypeError, ValueError):
        raise ServiceError("invalid_category", "请选择问题分类", field="category") from None
    title = clean_text(title, field="title", label="标题", max_length=60)
    description = clean_text(description, field="description", label="问题描述",
                             max_length=2000)
    if len(description) < 10:
        raise ServiceError("too_short", "问题描述至少10个字，请说清时间、地点和问题",
                           field="description")
    extra_values = clean_extra(category, extra)
    address = clean_text(address, field="address", label="地址", max_length=120,
                         required=False)
    lat = _coordinate(latitude, field="latitude", low=-90, high=90)
    lng = _coordinate(longitude, field="longitude", low=-180, high=180)
    if (lat is None) != (lng is None):
        raise ServiceError("invalid_location", "位置坐标不完整", field="latitude")
    area = None
    if area_id not in (None, ""):
        try:
            area = Unit.objects.get(pk=int(area_id), is_active=True)
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise ServiceError("invalid_area", "请选择所在乡镇或村（社区）", field="area") from None
    if not address and lat is None and area is None:
        raise ServiceError("location_required", "请填写地址、选择所在村（社区）或使用定位",
                           field="address")
    if contact_preference not in ContactPreference.values:
        raise ServiceError("invalid", "请选择联系方式偏好", field="contact_preference")
    contact_name = clean_text(contact_name, field="contact_name", label="联系人", max_length=20,
                              required=False, scan=False)
    contact_phone = str(contact_phone or "").strip()
    if contact_phone and not (contact_phone.isdecimal() and 7 <= len(contact_phone) <= 12):
        raise ServiceError("invalid_phone", "联系电话格式不正确", field="contact_phone")
    cleaned = _prepare_photos(photos)
    if video is not None:
        _check_video_size(video)
    _rate_limit(user, "submit", per_hour=5, per_day=10)
    if video is not None:
        video = clean_video(video, field="video")

    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                receipt_no=_receipt_no(now), user=user, idempotency_key=key, category=category,
                title=title, description=description, extra=extra_values, address=address,
                latitude=lat, longitude=lng,
                public_latitude=lat.quantize(Decimal("0.01")) if lat is not None else None,
                public_longitude=lng.quantize(Decimal("0.01")) if lng is not None else None,
                area=area, wants_public=bool(wants_public),
                contact_preference=contact_preference,
                contact_name_encrypted=crypto.encrypt(contact_name) if contact_name else "",
                contact_phone_encrypted=crypto.encrypt(contact_phone) if contact_phone else "",
                created_at=now)
            _save_attachments(case, user, cleaned, video)
            transition(case, to=None, kind=EventKind.SUBMITTED, actor=user, public=True,
                       public_text="已收到您的诉求，等待审核")
            deadline_open(case, DeadlineStep.REVIEW, start=now)
    except IntegrityError:  # the same key raced in from a second tab
        existing = Case.objects.filter(user=user, idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    return case


@transaction.atomic
def case_add_info(*, user, case_id, text: str, photos=None) -> Case:
    case = own_case(user, case_id, lock=True)
    if case.state in (CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED,
                      CaseState.INFO_TIMEOUT):
        raise ServiceError("wrong_state", "该问政已结束，不能再补充", status=409)
    text = clean_text(text, field="text", label="补充内容", max_length=1000)
    cleaned = _prepare_photos(photos)
    _rate_limit(user, "info", per_hour=10, per_day=30)
    _save_attachments(case, user, cleaned)
    asked = case.state == CaseState.NEEDS_INFO
    transition(case, to=CaseState.SUBMITTED if asked else None, kind=EventKind.INFO_ADDED,
               actor=user, note=text, public_text="群众已补充信息",
               data={"photos": len(cleaned)}, tell_citizen=False)
    title = f"问政{case.receipt_no}群众已补充信息"
    if asked:  # back to triage, with a fresh review deadline
        case.info_request = ""
        case.save(update_fields=["info_request"])
        deadline_meet(case, DeadlineStep.INFO)
        deadline_open(case, DeadlineStep.REVIEW)
        notify.newsroom(case=case, kind=notify.REVIEW, title=title, body=text[:120],
                        link=notify.console_link("wenzheng_triage"),
                        key=notify.case_key(case.pk, "triage"))
    else:
        for assignment in case.assignments.select_related("unit").filter(status__in=LIVE):
            notify.unit(assignment, kind=notify.UPDATE, title=title, body=text[:120])
    return case


@transaction.atomic
def case_rate(*, user, case_id, satisfaction: str, resolved, comment: str = "") -> CaseRating:
    case = own_case(user, case_id, lock=True)
    if case.state != CaseState.ANSWERED:
        raise ServiceError("wrong_state", "答复公开后才能评价", status=409)
    if satisfaction not in Satisfaction.values:
        raise ServiceError("invalid", "请选择满意度", field="satisfaction")
    if resolved in ("yes", "true", "1", True):
        resolved = True
    elif resolved in ("no", "false", "0", False):
        resolved = False
    else:
        raise ServiceError("invalid", "请选择问题是否已解决", field="resolved")
    comment = clean_text(comment, field="comment", label="评价", max_length=300, required=False)
    if CaseRating.objects.filter(case=case, round=case.reopen_count).exists():
        raise ServiceError("already_rated", "您已经评价过了", status=409)
    rating = CaseRating.objects.create(case=case, round=case.reopen_count,
                                       satisfaction=satisfaction, resolved=resolved,
                                       comment=comment)
    transition(case, to=None, kind=EventKind.RATED, actor=user, public=True,
               public_text=f"群众评价：{rating.get_satisfaction_display()}",
               data={"satisfaction": satisfaction, "resolved": resolved})
    close_case(case, actor=user, text="群众已评价，问政办结")
    if satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC):
        _pay_helpful_reply(case)
    return rating


def _pay_helpful_reply(case: Case) -> None:
    """A reply the citizen rated helpful earns its author (a 三长 or a unit's handler) the
    operators' "问政答复获好评" points, once per case and round."""
    from rongmei.points.services import points_earn

    reply = (case.replies.filter(status=ReplyStatus.APPROVED, author__isnull=False)
             .select_related("author").order_by("-reviewed_at", "-pk").first())
    if reply is None or not reply.author.is_active:
        return
    author, key = reply.author, f"wenzheng_helpful:{case.pk}:{case.reopen_count}"
    transaction.on_commit(lambda: points_earn(user=author, action="wenzheng_helpful",
                                              source=f"wenzheng:{case.pk}", key=key))


def close_case(case: Case, *, actor=None, text: str = "问政办结") -> None:
    now = timezone.now()
    case.closed_at = now
    case.save(update_fields=["closed_at"])
    live = list(case.assignments.filter(status__in=LIVE).values_list("pk", flat=True))
    case.assignments.filter(pk__in=live).update(status=AssignmentStatus.DONE)
    notify.resolve(*(notify.assignment_key(pk) for pk in live))
    deadline_meet(case, DeadlineStep.CLOSE, when=now)
    transition(case, to=CaseState.CLOSED, kind=EventKind.CLOSED, actor=actor, public_text=text)


@transaction.atomic
def case_reopen(*, user, case_id, reason: str) -> Case:
    """Not satisfied: the case goes back to the lead unit (at most twice)."""
    case = own_case(user, case_id, lock=True)
    if case.state not in (CaseState.ANSWERED, CaseState.CLOSED):
        raise ServiceError("wrong_state", "答复后才能申请重新办理", status=409)
    if case.reopen_count >= MAX_REOPENS:
        raise ServiceError("reopen_limit", f"每条问政最多重新办理{MAX_REOPENS}次", status=409)
    reason = clean_text(reason, field="reason", label="重新办理的理由", max_length=300)
    lead = (case.assignments.filter(role__in=[AssignmentRole.LEAD, AssignmentRole.GRID])
            .exclude(status=AssignmentStatus.RETURNED).order_by("-pk").first())
    if lead is None:
        raise ServiceError("wrong_state", "该问政没有承办单位，不能重新办理", status=409)
    case.reopen_count += 1
    case.closed_at = None
    case.save(update_fields=["reopen_count", "closed_at"])
    lead.status = AssignmentStatus.ACKNOWLEDGED
    lead.save(update_fields=["status"])
    open_handling_deadlines(case)
    transition(case, to=CaseState.IN_PROGRESS, kind=EventKind.REOPENED, actor=user,
               unit=lead.unit, note=reason, public_text="群众申请重新办理，已转回承办单位",
               data={"round": case.reopen_count})
    notify.unit(lead, kind=notify.SENT_BACK, title=f"问政{case.receipt_no}群众申请重新办理",
                body=reason[:120], key=notify.assignment_key(lead.pk),
                sms_params={"receipt": case.receipt_no})
    notify.newsroom(case=case, kind=notify.UPDATE, title=f"问政{case.receipt_no}群众申请重新办理",
                    body=reason[:120], link=notify.console_link("wenzheng_cases", case))
    return case


@transaction.atomic
def case_follow(*, user, case_id, kind: str) -> bool:
    """我也遇到 / 关注 a public case instead of submitting a new one. Returns True if new."""
    if kind not in FollowKind.values:
        raise ServiceError("invalid", "操作类型不正确", field="kind")
    try:
        case = Case.objects.select_for_update().get(
            pk=int(case_id), is_public=True,
            public_status__in=[PublicStatus.ACCEPTED, PublicStatus.PROCESSING,
                               PublicStatus.ANSWERED, PublicStatus.CLOSED])
    except (Case.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("问政不存在") from None
    _rate_limit(user, "follow", per_hour=60, per_day=200)
    _, created = CaseFollow.objects.get_or_create(case=case, user=user, kind=kind)
    if created:
        counter = "same_count" if kind == FollowKind.SAME else "follow_count"
        Case.objects.filter(pk=case.pk).update(**{counter: F(counter) + 1})
    return created


@transaction.atomic
def abuse_report(*, user, case_id, reason: str) -> AbuseReport:
    try:
        case = Case.objects.get(pk=int(case_id), is_public=True)
    except (Case.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("问政不存在") from None
    reason = clean_text(reason, field="reason", label="举报理由", max_length=200, scan=False)
    _rate_limit(user, "abuse", per_hour=10, per_day=30)
    report, created = AbuseReport.objects.get_or_create(case=case, reporter=user,
                                                        defaults={"reason": reason})
    if not created:
        raise ServiceError("already_reported", "您已经举报过这条问政", status=409)
    pending = AbuseReport.objects.filter(case=case, handled_at=None).count()
    notify.newsroom(case=case,
                    kind=notify.REVIEW, title=f"问政{case.receipt_no}被举报（{pending}次）",
                    body=reason[:120], link=notify.console_link("wenzheng_reports"),
                    key=notify.case_key(case.pk, "abuse"))
    return report
