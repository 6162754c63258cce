"""Write paths of 策划指挥: tips (爆料, 线索, 问政转线索) and their triage, topics (报题,
选题会), assignments (派单: booking, accept/decline, progress, hand-in) and the overdue timer.

Every staff action asks ``rongmei.units.access`` at its top. Side effects (notices) are
written inside the action's transaction, so a refused action tells nobody.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    REPORTER,
    UNIT_ADMIN,
    WENZHENG_HANDLER,
)
from rongmei.core.text import clean_typed
from rongmei.units.access import access_unit, check_role, has_role

from .models import (
    HOLDING,
    Assignment,
    AssignmentStatus,
    AssignmentUpdate,
    Duty,
    Outlet,
    Resource,
    Tip,
    TipPhoto,
    TipSource,
    TipStatus,
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
# Who may be assigned (people who gather).
ASSIGNABLE = (REPORTER,) + NEWSDESK
MAX_PHOTOS = 9
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
               photos=()) -> Tip:
    """爆料: a resident sends a tip. The text passes the word gate (a blocked word: refused,
    nothing saved); the contact is private (masked to the desk, shown in full to 策划调度
    only, every look logged); the sender follows the outcome in 我的爆料."""
    if not sender.is_authenticated:
        raise PermissionDeniedError("请先登录", code="login_required")
    values = {
        "title": clean_typed(title, field="title", label="标题", max_length=60),
        "body": clean_typed(body, field="body", label="爆料内容", max_length=2000),
        "place": clean_typed(place, field="place", label="地点", max_length=100, required=False),
        "contact_name": clean_typed(contact_name, field="contact_name", label="联系人",
                                    max_length=20, required=False),
        "contact_phone": _phone(contact_phone) or sender.phone or "",
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
    ratelimit.hit("planning_tip", str(sender.pk), limit=TIPS_PER_DAY, window=86400,
                  message=f"每天最多爆料{TIPS_PER_DAY}条，请明天再试")
    with transaction.atomic():
        tip = Tip.objects.create(source=TipSource.RESIDENT, sender=sender, **values)
        for index, content in enumerate(cleaned):
            photo = TipPhoto(tip=tip, order=index)
            photo.image.save(content.name, content, save=False)
            photo.save()
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


def tip_contact(*, viewer, tip: Tip, reason: str = "") -> dict:
    """The sender's contact in full, for 策划调度 only; every look is written to the
    personal-data access log."""
    check_role(viewer, *CONTACT_ROLES, message="只有策划调度可以查看爆料人联系方式")
    from rongmei.accounts.models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        viewer=viewer, subject_id=tip.sender_id if tip.source == TipSource.RESIDENT else None,
        what="爆料人联系方式", reason=f"线索{tip.pk}：{(reason or '核实线索')}"[:120])
    return {"name": tip.contact_name, "phone": tip.contact_phone}


def _today() -> date:
    return timezone.localdate()


def tip_triage(*, actor, tip: Tip, decision: str, note: str = "", merge_into_id=None,
               topic_id=None, planned_date: date | None = None) -> Tip:
    """采用 (a new proposed topic from the tip, or an existing topic), 合并 (into another
    tip) or 不采用 (with a note). The sender is told in 我的爆料 and 消息."""
    check_role(actor, *NEWSDESK)
    note = clean_typed(note, field="note", label="处理意见", max_length=200, required=False)
    if planned_date is not None and planned_date < _today():
        raise ServiceError("date_past", "计划日期不能早于今天", field="planned_date")
    with transaction.atomic():
        tip = Tip.objects.select_for_update().get(pk=tip.pk)
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
            target = Tip.objects.filter(pk=merge_into_id, status__in=(
                TipStatus.NEW, TipStatus.ADOPTED)).exclude(pk=tip.pk).first() \
                if merge_into_id else None
            if target is None:
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
    return tip


# --- 选题 ----------------------------------------------------------------------------------

def _outlets(values) -> list[str]:
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
    return Topic.objects.create(
        title=clean_typed(title, field="title", label="选题", max_length=60),
        angle=clean_typed(angle, field="angle", label="报道角度", max_length=1000),
        sources=clean_typed(sources, field="sources", label="信源", max_length=1000, required=False),
        outlets=_outlets(outlets), planned_date=planned_date, proposed_by=actor, unit=unit)


def topic_review(*, actor, topic: Topic, decision: str, note: str = "",
                 merge_into_id=None) -> Topic:
    """选题会: approve, return (with a note) or merge a proposed topic."""
    check_role(actor, *NEWSDESK)
    note = clean_typed(note, field="note", label="审核意见", max_length=200, required=False)
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
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
            target = Topic.objects.filter(pk=merge_into_id, status__in=OPEN_TOPICS).exclude(
                pk=topic.pk).first() \
                if merge_into_id else None
            if target is None:
                raise ServiceError("invalid_merge", "请选择要合并到的选题", field="merge_into_id")
            topic.status, topic.merged_into = TopicStatus.MERGED, target
            Tip.objects.filter(topic=topic).update(topic=target)
        else:
            raise ServiceError("invalid_decision", "请选择通过、退回或合并", field="decision")
        topic.review_note, topic.reviewed_by, topic.reviewed_at = note, actor, timezone.now()
        topic.save()
    return topic


# --- 派单 ----------------------------------------------------------------------------------

def _overlap(queryset, starts_at: datetime, ends_at: datetime):
    return queryset.filter(status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at)


def assignment_create(*, actor, topic: Topic, duty: str, starts_at: datetime,
                      ends_at: datetime, assignee_id=None, resource_id=None, place: str = "",
                      note: str = "", now: datetime | None = None) -> Assignment:
    """派单: book a person (文字记者/摄影摄像) or a resource (车辆/器材) for an approved topic.

    Refused: a time in the past, an end before the start, and double booking — the person
    or resource already holds a live assignment that overlaps. The check runs while holding
    a row lock on the person (or the resource), so parallel bookings of the same one are
    serialised: on PostgreSQL the second waits for the first to commit, then sees it.
    """
    check_role(actor, *NEWSDESK)
    now = now or timezone.now()
    if topic.status != TopicStatus.APPROVED:
        raise ServiceError("topic_not_approved", "选题通过后才能派单", field="topic")
    if duty not in Duty.values:
        raise ServiceError("invalid_duty", "请选择任务类型", field="duty")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise ServiceError("invalid_time", "请填写开始和截止时间", field="starts_at")
    # A time without a zone is the county's local time, as the console's form means it.
    starts_at, ends_at = local_aware(starts_at), local_aware(ends_at)
    if ends_at - now > MAX_AHEAD or starts_at - now > MAX_AHEAD:
        raise ServiceError("time_far", f"派单只能安排在{MAX_AHEAD.days}天以内", field="ends_at")
    if starts_at < now:
        raise ServiceError("time_past", "开始时间不能早于现在", field="starts_at")
    if ends_at <= starts_at:
        raise ServiceError("time_order", "截止时间须晚于开始时间", field="ends_at")
    place = clean_typed(place, field="place", label="地点", max_length=100, required=False)
    note = clean_typed(note, field="note", label="要求", max_length=200, required=False)
    person_duty = duty in (Duty.REPORTER, Duty.CAMERA)
    from rongmei.accounts.models import User

    with transaction.atomic():
        if person_duty:
            if not assignee_id or resource_id:
                raise ServiceError("required", "请选择承接人", field="assignee_id")
            assignee = (User.objects.select_for_update().filter(pk=assignee_id, is_active=True)
                        .first())
            if assignee is None or not has_role(assignee, *ASSIGNABLE):
                raise ServiceError("invalid_assignee", "承接人须为采编人员", field="assignee_id")
            clash = _overlap(Assignment.objects.filter(assignee=assignee), starts_at, ends_at)
            if clash.exists():
                other = clash.select_related("topic").first()
                raise ServiceError(
                    "double_booked", f"{assignee.display_name}在该时段已有任务："
                    f"{other.topic.title}（{timezone.localtime(other.starts_at):%m-%d %H:%M}起）",
                    field="assignee_id", status=409)
            resource = None
        else:
            if not resource_id or assignee_id:
                raise ServiceError("required", "请选择车辆或器材", field="resource_id")
            resource = (Resource.objects.select_for_update()
                        .filter(pk=resource_id, is_active=True).first())
            if resource is None or resource.kind != duty:
                raise ServiceError("invalid_resource", "车辆或器材不存在或不可用",
                                   field="resource_id")
            clash = _overlap(Assignment.objects.filter(resource=resource), starts_at, ends_at)
            if clash.exists():
                other = clash.select_related("topic").first()
                raise ServiceError(
                    "double_booked", f"{resource}在该时段已被占用：{other.topic.title}"
                    f"（{timezone.localtime(other.starts_at):%m-%d %H:%M}起）",
                    field="resource_id", status=409)
            assignee = None
        assignment = Assignment.objects.create(
            topic=topic, duty=duty, assignee=assignee, resource=resource, starts_at=starts_at,
            ends_at=ends_at, place=place, note=note, created_by=actor)
        if assignee is not None:
            _notify(user=assignee, kind="planning_assignment", title="您有新的派单",
                    body=f"{topic.title}（{assignment.get_duty_display()}，"
                    f"{timezone.localtime(starts_at):%m-%d %H:%M}）",
                    link="/planning/work/", todo_key=f"planning:assignment:{assignment.pk}")
    return assignment


def _mine(actor, assignment: Assignment) -> Assignment:
    if not actor.is_authenticated or assignment.assignee_id != actor.pk:
        raise NotFoundError("派单不存在")
    return assignment


def assignment_respond(*, actor, assignment: Assignment, accept: bool,
                       reason: str = "") -> Assignment:
    """The assignee accepts or declines (with a reason) an offered assignment."""
    _mine(actor, assignment)
    reason = clean_typed(reason, field="reason", label="拒绝原因", max_length=200, required=False)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.status != AssignmentStatus.OFFERED:
            raise ServiceError("not_offered", f"该派单{assignment.get_status_display()}",
                               status=409)
        if accept:
            assignment.status = AssignmentStatus.ACCEPTED
        else:
            if not reason:
                raise ServiceError("required", "拒绝时请填写原因", field="reason")
            assignment.status, assignment.decline_reason = AssignmentStatus.DECLINED, reason
            if assignment.created_by_id:
                _notify(user=assignment.created_by, kind="planning_assignment",
                        title="派单被拒绝", body=f"{assignment.who}：{reason}",
                        link="/admin/planning/assignments/")
        assignment.save(update_fields=["status", "decline_reason"])
        from rongmei.notices.services import resolve

        if not accept:
            resolve(todo_key=f"planning:assignment:{assignment.pk}")
    return assignment


def assignment_progress(*, actor, assignment: Assignment, text: str) -> AssignmentUpdate:
    _mine(actor, assignment)
    if assignment.status != AssignmentStatus.ACCEPTED:
        raise ServiceError("not_accepted", "接单后才能反馈进展")
    text = clean_typed(text, field="text", label="进展", max_length=200)
    return AssignmentUpdate.objects.create(assignment=assignment, author=actor, text=text)


def credits_for(topic: Topic) -> str:
    """The byline from the topic's accepted and handed-in people: 记者 甲 乙 摄像 丙."""
    people: dict[str, list[str]] = {Duty.REPORTER: [], Duty.CAMERA: []}
    rows = (Assignment.objects.filter(topic=topic, assignee__isnull=False,
                                      status__in=(AssignmentStatus.ACCEPTED,
                                                  AssignmentStatus.SUBMITTED))
            .select_related("assignee").order_by("pk"))
    for row in rows:
        name = row.assignee.name or row.assignee.display_name
        if name not in people[row.duty]:
            people[row.duty].append(name)
    parts = []
    if people[Duty.REPORTER]:
        parts.append("记者 " + " ".join(people[Duty.REPORTER]))
    if people[Duty.CAMERA]:
        parts.append("摄像 " + " ".join(people[Duty.CAMERA]))
    return " ".join(parts)[:60]


def assignment_hand_in(*, actor, assignment: Assignment, story_id: int) -> Assignment:
    """交稿: link the story (a 新闻 page) the assignment produced. The story's byline
    (记者) comes from the topic's assignments: written on its latest draft, so it goes
    through the review chain with the story (and straight onto the page row while the
    story has never been published)."""
    _mine(actor, assignment)
    from rongmei.news.models import StoryPage

    story = StoryPage.objects.filter(pk=story_id).first() if (
        isinstance(story_id, int) and not isinstance(story_id, bool)) else None
    if story is None:
        raise ServiceError("invalid_story", "稿件不存在", field="story_id")
    if story.owner_id != actor.pk and not story.revisions.filter(user=actor).exists():
        # The byline is rewritten from the assignment: only a story the assignee wrote
        # (or worked on) can be handed in, never a colleague's published one.
        raise ServiceError("not_your_story", "只能交自己采写（或参与编辑）的稿件",
                           field="story_id", status=403)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.status != AssignmentStatus.ACCEPTED:
            raise ServiceError("not_accepted", f"该派单{assignment.get_status_display()}，"
                               "不能交稿", status=409)
        assignment.status, assignment.story = AssignmentStatus.SUBMITTED, story
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["status", "story", "submitted_at"])
        _credit(story, credits_for(assignment.topic), actor)
        from rongmei.notices.services import resolve

        resolve(todo_key=f"planning:assignment:{assignment.pk}")
        if assignment.created_by_id:
            _notify(user=assignment.created_by, kind="planning_assignment", title="派单已交稿",
                    body=f"{assignment.who}：{story.title}",
                    link="/admin/planning/assignments/")
    return assignment


def _credit(story, byline: str, actor) -> None:
    if not byline:
        return
    draft = story.get_latest_revision_as_object()
    if draft.reporter != byline:
        draft.reporter = byline
        draft.save_revision(user=actor, log_action=True)
    if not story.live and story.reporter != byline:
        type(story).objects.filter(pk=story.pk).update(reporter=byline)


def remind_overdue(*, now: datetime | None = None) -> int:
    """The timer: an assignment past its deadline that is still offered or accepted reminds
    its assignee and the editor who dispatched it, once. Each row is claimed by a conditional
    UPDATE, so two runs (or two processes) remind nobody twice."""
    now = now or timezone.now()
    due = (Assignment.objects.filter(status__in=HOLDING, ends_at__lt=now,
                                     overdue_reminded_at__isnull=True, assignee__isnull=False)
           .values_list("pk", flat=True))
    sent = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            claimed = Assignment.objects.filter(pk=pk, overdue_reminded_at__isnull=True).update(
                overdue_reminded_at=now)
            if not claimed:
                continue
            row = Assignment.objects.select_related("topic", "assignee", "created_by").get(pk=pk)
            people = [p for p in (row.assignee, row.created_by) if p is not None]
            _notify(users=people, kind="planning_overdue", title="派单已逾期",
                    body=f"{row.topic.title}（{row.who}，截止"
                    f"{timezone.localtime(row.ends_at):%m-%d %H:%M}）",
                    link="/planning/work/", about=f"planning:assignment:{row.pk}")
            sent += 1
    return sent


def resource_create(*, actor, name: str, kind: str, note: str = "") -> Resource:
    check_role(actor, DISPATCHER)
    if kind not in ("vehicle", "equipment"):
        raise ServiceError("invalid_kind", "请选择车辆或器材", field="kind")
    name = clean_typed(name, field="name", label="名称", max_length=40)
    try:
        with transaction.atomic():
            return Resource.objects.create(name=name, kind=kind, note=note[:100])
    except IntegrityError:
        raise ServiceError("duplicate", "已有同名的车辆或器材", field="name", status=409) \
            from None
