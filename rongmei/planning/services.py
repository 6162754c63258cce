"""Write paths of 策划指挥: tips (爆料 with photos and a video, 线索, 问政转线索, 评论转线索),
their private files and triage, and topics (报题, 选题会). Assignments (派单) are in
``dispatch.py``, the 策划日历 in ``events.py``, 爆料采用 points in ``rewards.py``.

Every staff action asks ``rongmei.units.access`` at its top. Side effects (notices) are
written inside the action's transaction, so a refused action tells nobody.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.masking import mask_personal_text
from rongmei.core.modules import module_is_on
from rongmei.core.moments import local_aware
from rongmei.core.public_text import gate_texts
from rongmei.core.roles import (
    CHIEF_EDITOR,
    DIRECTOR,
    DISPATCHER,
    EDITOR,
    OPERATOR,
    REPORTER,
    UNIT_ADMIN,
    WENZHENG_HANDLER,
)
from rongmei.core.text import clean_typed
from rongmei.units.access import access_unit, check_role, has_role

from .models import (
    Outlet,
    Tip,
    TipPhoto,
    TipSource,
    TipStatus,
    TipVideo,
    Topic,
    TopicStatus,
)

# 编辑部: who triages tips, reviews topics, dispatches and watches the board.
NEWSDESK = (DISPATCHER, EDITOR, CHIEF_EDITOR, DIRECTOR)
OPEN_TOPICS = (TopicStatus.PROPOSED, TopicStatus.APPROVED)  # what a tip or topic joins
MAX_AHEAD = timedelta(days=366)  # a plan, not a year-9999 booking that holds a car forever
# Who sees a tip's contact in full (each look logged).
CONTACT_ROLES = (DISPATCHER,)
# Who may propose a topic (报题).
PROPOSERS = (REPORTER, UNIT_ADMIN) + NEWSDESK
# Who may turn a comment into a tip: the desk and the comment moderators (互动's 评论审核).
COMMENT_TO_TIP = NEWSDESK + (OPERATOR,)
# Who may be assigned (people who gather).
ASSIGNABLE = (REPORTER,) + NEWSDESK
MAX_PHOTOS = 9
MAX_VIDEOS = 1  # 30 MB (core.uploads.MAX_VIDEO_BYTES): a phone clip of the scene
TIPS_PER_DAY = 10


def _coordinate(value, *, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ServiceError("invalid_location", "位置格式不正确", field=field) from None
    if not number.is_finite() or abs(number) > limit:
        raise ServiceError("invalid_location", "位置格式不正确", field=field)
    return number


def _phone(value: str) -> str:
    from django.core.exceptions import ValidationError

    from rongmei.accounts.validators import normalize_phone

    if not value:
        return ""
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="contact_phone") from None


def _notify(**kwargs) -> None:
    from rongmei.notices.services import notify

    notify(**kwargs)


# --- 线索 ----------------------------------------------------------------------------------

def tip_submit(*, sender, title: str, body: str, place: str = "", latitude=None,
               longitude=None, contact_name: str = "", contact_phone: str = "",
               photos=(), videos=(), idempotency_key: str = "") -> Tip:
    """爆料: a resident sends a tip. The text passes the word gate (a blocked word: refused,
    nothing saved); the contact is private (masked to the desk, shown in full to 策划调度
    only, every look logged); the sender follows the outcome in 我的爆料."""
    if not sender.is_authenticated:
        raise PermissionDeniedError("请先登录", code="login_required")
    # A replay (a double tap, an app retrying on a flaky network) returns the tip it made.
    key = str(idempotency_key or "").strip()
    if len(key) > 64:
        raise ServiceError("invalid_key", "提交标识无效，请刷新页面后重试", field="idempotency_key")
    existing = Tip.objects.filter(sender=sender, idempotency_key=key).first() if key else None
    if existing is not None:
        return existing
    values = {
        "title": clean_typed(title, field="title", label="标题", max_length=60),
        "body": clean_typed(body, field="body", label="爆料内容", max_length=2000),
        "place": clean_typed(place, field="place", label="地点", max_length=100, required=False),
        "contact_name": clean_typed(contact_name, field="contact_name", label="联系人",
                                    max_length=20, required=False),
        # Only what the resident typed or chose: the account's phone is never a silent
        # default (the form offers it as an explicit choice).
        "contact_phone": _phone(contact_phone),
        "latitude": _coordinate(latitude, field="latitude", limit=90),
        "longitude": _coordinate(longitude, field="longitude", limit=180),
    }
    if (values["latitude"] is None) != (values["longitude"] is None):
        raise ServiceError("invalid_location", "请同时提供经度和纬度", field="latitude")
    gate_texts(title=values["title"], body=values["body"], place=values["place"])
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ServiceError("too_many_photos", f"最多上传{MAX_PHOTOS}张图片", field="photos")
    from rongmei.core.uploads import clean_image

    cleaned = [clean_image(p, field="photos", max_side=1920) for p in photos]
    videos = [v for v in videos if v]
    if len(videos) > MAX_VIDEOS:
        raise ServiceError("too_many_videos", f"最多上传{MAX_VIDEOS}段视频", field="videos")
    from rongmei.core.uploads import clean_video

    clips = [clean_video(v, field="videos") for v in videos]
    ratelimit.hit("planning_tip", str(sender.pk), limit=TIPS_PER_DAY, window=86400,
                  message=f"每天最多爆料{TIPS_PER_DAY}条，请明天再试")
    try:
        with transaction.atomic():
            tip = Tip.objects.create(source=TipSource.RESIDENT, sender=sender,
                                     idempotency_key=key, **values)
            for index, content in enumerate(cleaned):
                photo = TipPhoto(tip=tip, order=index)
                photo.image.save(content.name, content, save=False)
                photo.save()
            for content in clips:
                video = TipVideo(tip=tip)
                video.file.save(content.name, content, save=False)
                video.save()
    except IntegrityError:  # the same key raced in on another connection
        tip = Tip.objects.filter(sender=sender, idempotency_key=key).first() if key else None
        if tip is None:
            raise
    return tip


def tip_report(*, actor, title: str, body: str, place: str = "", unit_id=None) -> Tip:
    """线索: a unit (through its 分端管理员) or the newsroom sends a lead from the console."""
    unit = None
    if unit_id:
        unit = access_unit(actor, unit_id, UNIT_ADMIN)
    else:
        check_role(actor, REPORTER, *NEWSDESK, WENZHENG_HANDLER, UNIT_ADMIN)
        if not has_role(actor, REPORTER, *NEWSDESK, WENZHENG_HANDLER):
            raise ServiceError("required", "请选择报送单位", field="unit_id")
    values = {
        "title": clean_typed(title, field="title", label="标题", max_length=60),
        "body": clean_typed(body, field="body", label="线索内容", max_length=2000),
        "place": clean_typed(place, field="place", label="地点", max_length=100, required=False),
    }
    gate_texts(**values)
    return Tip.objects.create(source=TipSource.UNIT, sender=actor, unit=unit, **values)


def tip_from_wenzheng(*, actor, case_id: int) -> Tip:
    """问政转线索: one action turns a 问政 case into a lead (its public text and place; the
    citizen's contact stays in 问政, behind its own logged contact view). Only while 问政 is
    on; the case is read by model name, so planning does not import 问政."""
    check_role(actor, WENZHENG_HANDLER, *NEWSDESK)
    if not module_is_on("wenzheng"):
        raise ServiceError("module_off", "问政模块未开启", status=404)
    from django.apps import apps

    case = apps.get_model("wenzheng", "Case").objects.filter(pk=case_id).first()
    if case is None:
        raise NotFoundError("问政不存在")
    if not case.is_public or not case.public_title:
        # What the citizen wrote is theirs (names, ID and phone numbers, the address): only
        # the reviewed public version, masked as the public board shows it, becomes a lead.
        raise ServiceError("case_not_public",
                           "只有已公开的问政可以转为线索（未公开的问政含反映人的个人信息）",
                           status=409)
    existing = Tip.objects.filter(wenzheng_case_id=case.pk).first()
    if existing is not None:
        raise ServiceError("already_tip", f"该问政已转为线索：{existing.title}", status=409)
    area = getattr(case, "area", None)
    try:
        with transaction.atomic():
            return Tip.objects.create(
                source=TipSource.WENZHENG, sender=actor,
                title=mask_personal_text(case.public_title)[:60],
                body=mask_personal_text(case.public_description or case.public_title)[:2000],
                place=(area.name if area is not None else "")[:100],
                wenzheng_case_id=case.pk, wenzheng_receipt=case.receipt_no)
    except IntegrityError:
        raise ServiceError("already_tip", "该问政已转为线索", status=409) from None


def tip_from_comment(*, actor, comment_id: int) -> Tip:
    """评论转线索: one action in 评论审核 turns a resident's comment on a story into a lead
    (its text, personal details masked; the commenter is not the sender — their account
    stays with 互动). Only while 互动 is on; read by model name, so planning needs no
    import of it. A removed comment, or one holding a blocked word, does not become a lead."""
    check_role(actor, *COMMENT_TO_TIP)
    if not module_is_on("engage"):
        raise ServiceError("module_off", "互动模块未开启", status=404)
    from django.apps import apps

    comment = (apps.get_model("engage", "Comment").objects.select_related("page")
               .filter(pk=comment_id).first()) if comment_id else None
    if comment is None or comment.status == "removed":
        raise NotFoundError("评论不存在或已删除")
    existing = Tip.objects.filter(comment_id=comment.pk).first()
    if existing is not None:
        raise ServiceError("already_tip", f"该评论已转为线索：{existing.title}", status=409)
    text = mask_personal_text(comment.body)
    title = f"评论：{text}"[:60]
    body = f"{text}\n（读者评论于《{comment.page.title}》，评论编号{comment.pk}）"[:2000]
    gate_texts(title=title, body=body)
    try:
        with transaction.atomic():
            return Tip.objects.create(source=TipSource.COMMENT, sender=actor, title=title,
                                      body=body, comment_id=comment.pk)
    except IntegrityError:
        raise ServiceError("already_tip", "该评论已转为线索", status=409) from None


def tip_file_open(*, viewer, kind: str, pk: int):
    """A tip's photo or video (stored under private/): for its sender, and for the desk,
    which sees every tip. Anyone else is told it does not exist. Returns (stored name, open
    file)."""
    model, label = (TipPhoto, "图片") if kind == "photo" else (TipVideo, "视频")
    row = (model.objects.select_related("tip").filter(pk=pk).first()
           if viewer.is_authenticated else None)
    if row is None or not (row.tip.sender_id == viewer.pk or has_role(viewer, *NEWSDESK)):
        raise NotFoundError(f"{label}不存在")
    stored = row.image if kind == "photo" else row.file
    try:
        return stored.name, stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise NotFoundError(f"{label}文件不存在") from None


def tip_video_to_media(*, actor, video_id: int):
    """导入素材库: the desk takes a tip's video into the media library, where the media
    pipeline (``rongmei.media``) checks and transcodes it for use in stories; the tip keeps
    its private copy. Once per video."""
    check_role(actor, *NEWSDESK)
    from django.core.files import File

    from rongmei.media.services import media_upload

    with transaction.atomic():
        video = (TipVideo.objects.select_for_update().select_related("tip")
                 .filter(pk=video_id).first())
        if video is None:
            raise NotFoundError("视频不存在")
        if video.media_asset_id:
            raise ServiceError("already_imported", "该视频已导入素材库", status=409)
        with video.file.storage.open(video.file.name, "rb") as handle:
            upload = File(handle, name=video.file.name.rsplit("/", 1)[-1])
            upload.size = video.file.size
            asset = media_upload(actor=actor, kind="video", title=f"爆料视频：{video.tip.title}",
                                 upload=upload)
        video.media_asset = asset
        video.save(update_fields=["media_asset"])
    return asset


def tip_contact(*, viewer, tip: Tip, reason: str = "") -> dict:
    """The sender's contact in full, for 策划调度 only; every look is written to the
    personal-data access log."""
    check_role(viewer, *CONTACT_ROLES, message="只有策划调度可以查看爆料人联系方式")
    from rongmei.accounts.models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        viewer=viewer, subject_id=tip.sender_id if tip.source == TipSource.RESIDENT else None,
        what="爆料人联系方式", reason=f"线索{tip.pk}：{(reason or '核实线索')}"[:120])
    return {"name": tip.contact_name, "phone": tip.contact_phone}


def _locked_in_order(model, *pks) -> dict:
    """The rows of ``model`` with these ids, locked for update in id order, so that two
    actions on the same pair (a merge of A into B and of B into A) wait for each other
    instead of deadlocking. A missing id maps to None. Call inside a transaction."""
    return {pk: model.objects.select_for_update().filter(pk=pk).first()
            for pk in sorted({pk for pk in pks if pk})}


def _today() -> date:
    return timezone.localdate()


def tip_triage(*, actor, tip: Tip, decision: str, note: str = "", merge_into_id=None,
               topic_id=None, planned_date: date | None = None) -> Tip:
    """采用 (a new proposed topic from the tip, or an existing topic), 合并 (into another
    tip) or 不采用 (with a note). The sender is told in 我的爆料 and 消息."""
    check_role(actor, *NEWSDESK)
    note = clean_typed(note, field="note", label="处理意见", max_length=200, required=False)
    gate_texts(note=note)  # the sender reads it in 我的爆料
    if planned_date is not None and planned_date < _today():
        raise ServiceError("date_past", "计划日期不能早于今天", field="planned_date")
    if tip.source == TipSource.RESIDENT and tip.sender_id == actor.pk:
        # 爆料采用 pays the sender: whoever sent a tip as a resident does not decide it
        # (an editor adopting their own 爆料 would pay themselves).
        raise PermissionDeniedError("不能处理自己的爆料，请由编辑部其他人员处理", code="own_tip")
    with transaction.atomic():
        # A merge locks its target too, both rows in id order: two editors merging A into B
        # and B into A at once would otherwise each see the other still new, and leave both
        # merged with no live home (and a deadlock, had each locked its own first).
        target_id = merge_into_id if decision == "merge" else None
        locked = _locked_in_order(Tip, tip.pk, target_id)
        tip = locked[tip.pk]
        if tip.status != TipStatus.NEW:
            raise ServiceError("tip_handled", f"该线索{tip.get_status_display()}，不能重复处理",
                               status=409)
        if decision == "adopt":
            if topic_id:
                topic = Topic.objects.filter(pk=topic_id, status__in=OPEN_TOPICS).first()
                if topic is None:
                    raise ServiceError("invalid_topic", "选题不存在", field="topic_id")
            else:
                topic = Topic.objects.create(
                    title=tip.title, angle=tip.body[:1000], planned_date=planned_date or _today(),
                    sources=f"线索{tip.pk}" + (f"（问政{tip.wenzheng_receipt}）"
                                             if tip.wenzheng_receipt else ""),
                    outlets=[Outlet.APP], proposed_by=actor)
            tip.status, tip.topic = TipStatus.ADOPTED, topic
        elif decision == "merge":
            # Into a live tip only: never a merged one (A→B→A leaves both without a home)
            # nor a rejected one (the sender would be told 已合并 about a dead end).
            target = locked.get(target_id) if target_id != tip.pk else None
            if target is None or target.status not in (TipStatus.NEW, TipStatus.ADOPTED):
                raise ServiceError("invalid_merge", "请选择要合并到的线索", field="merge_into_id")
            tip.status, tip.merged_into, tip.topic = TipStatus.MERGED, target, target.topic
        elif decision == "reject":
            if not note:
                raise ServiceError("required", "不采用时请填写原因", field="note")
            tip.status = TipStatus.REJECTED
        else:
            raise ServiceError("invalid_decision", "请选择采用、合并或不采用", field="decision")
        tip.triage_note, tip.triaged_by, tip.triaged_at = note, actor, timezone.now()
        tip.save()
        if tip.sender_id and tip.source == TipSource.RESIDENT:
            _notify(user=tip.sender, kind="planning_tip_outcome", title="您的爆料有了处理结果",
                    body=f"“{tip.title}”：{tip.outcome}", link="/planning/tips/mine/",
                    about=f"planning:tip:{tip.pk}")
        if tip.status == TipStatus.ADOPTED:
            from .rewards import pay_tip_if_published

            pay_tip_if_published(tip)
    return tip


# --- 选题 ----------------------------------------------------------------------------------

def clean_outlets(values) -> list[str]:
    codes = [v for v in (values or []) if v]
    unknown = [c for c in codes if c not in Outlet.values]
    if unknown or not codes:
        raise ServiceError("invalid_outlets", "请选择计划发布渠道", field="outlets")
    return list(dict.fromkeys(codes))


def topic_propose(*, actor, title: str, angle: str, planned_date: date, sources: str = "",
                  outlets=(Outlet.APP,), unit_id=None) -> Topic:
    """报题: a reporter, a unit or the desk proposes a topic for a day."""
    check_role(actor, *PROPOSERS)
    unit = access_unit(actor, unit_id, UNIT_ADMIN) if unit_id else None
    if unit is None and not has_role(actor, REPORTER, *NEWSDESK):
        raise ServiceError("required", "请选择报题单位", field="unit_id")
    if not isinstance(planned_date, date):
        raise ServiceError("invalid_date", "请填写计划日期", field="planned_date")
    if planned_date < _today():
        raise ServiceError("date_past", "计划日期不能早于今天", field="planned_date")
    texts = {
        "title": clean_typed(title, field="title", label="选题", max_length=60),
        "angle": clean_typed(angle, field="angle", label="报道角度", max_length=1000),
        "sources": clean_typed(sources, field="sources", label="信源", max_length=1000,
                               required=False),
    }
    gate_texts(**texts)  # the whole desk, the units and the assignees read a topic
    return Topic.objects.create(outlets=clean_outlets(outlets), planned_date=planned_date,
                                proposed_by=actor, unit=unit, **texts)


def topic_review(*, actor, topic: Topic, decision: str, note: str = "",
                 merge_into_id=None) -> Topic:
    """选题会: approve, return (with a note) or merge a proposed topic."""
    check_role(actor, *NEWSDESK)
    note = clean_typed(note, field="note", label="审核意见", max_length=200, required=False)
    gate_texts(note=note)  # the proposer (a reporter, a unit) reads it
    with transaction.atomic():
        # A merge locks its target too, in id order (as tip_triage does): two merges into
        # each other at once must not both pass.
        target_id = merge_into_id if decision == "merge" else None
        locked = _locked_in_order(Topic, topic.pk, target_id)
        topic = locked[topic.pk]
        if topic.status not in (TopicStatus.PROPOSED, TopicStatus.RETURNED):
            raise ServiceError("topic_reviewed", f"该选题{topic.get_status_display()}",
                               status=409)
        if decision == "approve":
            topic.status = TopicStatus.APPROVED
        elif decision == "return":
            if not note:
                raise ServiceError("required", "退回时请填写意见", field="note")
            topic.status = TopicStatus.RETURNED
        elif decision == "merge":
            target = locked.get(target_id) if target_id != topic.pk else None
            if target is None or target.status not in OPEN_TOPICS:
                raise ServiceError("invalid_merge", "请选择要合并到的选题", field="merge_into_id")
            topic.status, topic.merged_into = TopicStatus.MERGED, target
            Tip.objects.filter(topic=topic).update(topic=target)
        else:
            raise ServiceError("invalid_decision", "请选择通过、退回或合并", field="decision")
        topic.review_note, topic.reviewed_by, topic.reviewed_at = note, actor, timezone.now()
        topic.save()
    return topic

