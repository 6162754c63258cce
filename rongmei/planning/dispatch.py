"""Write paths of 派单: booking people and resources (no double booking), accept/decline,
progress, hand-in with the byline, cancelling (with a reason, the assignee told), releasing
a vehicle or equipment, and the overdue timer.

Every staff action asks ``rongmei.units.access`` at its top. Notices are written inside the
action's transaction, so a refused action tells nobody.

Deadlines: accepting an assignment whose deadline has passed is refused (the editor must
re-plan it); handing in after the deadline is allowed and marked 逾期 (``is_late``), since
the story exists and the byline should come from the job.

Resources: a vehicle or equipment booking is held (``BOOKED``) for its time. It ends when
it is released early, cancelled, or when the topic's last person assignment is handed in
or cancelled (the job is over, so its car and kit are free). A booking past its end and
never released reminds the editor who booked it, once (``remind_overdue``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.public_text import gate_texts
from rongmei.core.roles import DISPATCHER
from rongmei.core.text import clean_typed
from rongmei.core.moments import local_aware
from rongmei.notices.services import notify, resolve
from rongmei.units.access import check_role, has_role

from .models import (
    HOLDING,
    Assignment,
    AssignmentStatus,
    AssignmentUpdate,
    Duty,
    Resource,
    Topic,
    TopicStatus,
)
from .services import ASSIGNABLE, MAX_AHEAD, NEWSDESK

PEOPLE = (Duty.REPORTER, Duty.CAMERA)
WORK_LINK = "/planning/work/"
DESK_LINK = "/admin/planning/topics/"


def _todo(assignment: Assignment) -> str:
    return f"planning:assignment:{assignment.pk}"


def _resolve(assignment: Assignment) -> None:
    resolve(todo_key=_todo(assignment))


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
    gate_texts(place=place, note=note)  # the assignee reads them, as they read a cancel reason
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
            ends_at=ends_at, place=place, note=note, created_by=actor,
            status=AssignmentStatus.OFFERED if assignee else AssignmentStatus.BOOKED)
        if assignee is not None:
            notify(user=assignee, kind="planning_assignment", title="您有新的派单",
                   body=f"{topic.title}（{assignment.get_duty_display()}，"
                   f"{timezone.localtime(starts_at):%m-%d %H:%M}）",
                   link=WORK_LINK, todo_key=_todo(assignment))
    return assignment


def _mine(actor, assignment: Assignment) -> Assignment:
    if not actor.is_authenticated or assignment.assignee_id != actor.pk:
        raise NotFoundError("派单不存在")
    return assignment


def assignment_respond(*, actor, assignment: Assignment, accept: bool, reason: str = "",
                       now: datetime | None = None) -> Assignment:
    """The assignee accepts or declines (with a reason) an offered assignment. Accepting one
    whose deadline has passed is refused: the job as planned can no longer be done, and the
    editor re-plans it (declining it is still possible)."""
    _mine(actor, assignment)
    now = now or timezone.now()
    reason = clean_typed(reason, field="reason", label="拒绝原因", max_length=200, required=False)
    gate_texts(reason=reason)  # the editor reads it
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.status != AssignmentStatus.OFFERED:
            raise ServiceError("not_offered", f"该派单{assignment.get_status_display()}",
                               status=409)
        if accept:
            if assignment.ends_at <= now:
                raise ServiceError(
                    "deadline_passed", "该派单已过截止时间"
                    f"（{timezone.localtime(assignment.ends_at):%m-%d %H:%M}），不能接单，"
                    "请联系派单编辑重新安排", status=409)
            assignment.status = AssignmentStatus.ACCEPTED
        else:
            if not reason:
                raise ServiceError("required", "拒绝时请填写原因", field="reason")
            assignment.status, assignment.decline_reason = AssignmentStatus.DECLINED, reason
            if assignment.created_by_id:
                notify(user=assignment.created_by, kind="planning_assignment",
                       title="派单被拒绝", body=f"{assignment.who}：{reason}", link=DESK_LINK)
        assignment.save(update_fields=["status", "decline_reason"])
        if not accept:
            _resolve(assignment)
    return assignment


def assignment_progress(*, actor, assignment: Assignment, text: str) -> AssignmentUpdate:
    _mine(actor, assignment)
    if assignment.status != AssignmentStatus.ACCEPTED:
        raise ServiceError("not_accepted", "接单后才能反馈进展")
    text = clean_typed(text, field="text", label="进展", max_length=200)
    gate_texts(text=text)  # the editor reads it, as they read a decline reason
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


def assignment_hand_in(*, actor, assignment: Assignment, story_id: int,
                       now: datetime | None = None) -> Assignment:
    """交稿: link the story (a 新闻 page) the assignment produced. The story's byline
    (记者) comes from the topic's assignments: written on its latest draft, so it goes
    through the review chain with the story (and straight onto the page row while the
    story has never been published).

    After the deadline the hand-in is still taken, marked 逾期 (``is_late``) for the editor.
    The topic's last person handing in frees its vehicle and equipment bookings."""
    _mine(actor, assignment)
    now = now or timezone.now()
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
        assignment.submitted_at = now
        assignment.save(update_fields=["status", "story", "submitted_at"])
        _credit(story, credits_for(assignment.topic), actor)
        _resolve(assignment)
        if assignment.created_by_id:
            late = "（逾期交稿）" if assignment.is_late else ""
            notify(user=assignment.created_by, kind="planning_assignment",
                   title=f"派单已交稿{late}", body=f"{assignment.who}：{story.title}",
                   link=DESK_LINK)
        _release_when_done(assignment.topic_id, now=now)
    from .rewards import pay_tips_for_story

    pay_tips_for_story(story)
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


def _check_may_close(actor, assignment: Assignment, what: str) -> None:
    """Cancelling or releasing: the editor who dispatched it, or 策划调度 (the desk)."""
    check_role(actor, *NEWSDESK)
    if assignment.created_by_id != actor.pk and not has_role(actor, DISPATCHER):
        raise PermissionDeniedError(f"只有派单编辑或策划调度可以{what}")


def assignment_cancel(*, actor, assignment: Assignment, reason: str,
                      now: datetime | None = None) -> Assignment:
    """取消派单: the editor who made it (or 策划调度) cancels a live assignment or booking,
    with a reason. The assignee is told (their 待办 closed); the person or resource is free
    at once; the topic's last person cancelled frees its vehicle and equipment too."""
    _check_may_close(actor, assignment, "取消派单")
    now = now or timezone.now()
    reason = clean_typed(reason, field="reason", label="取消原因", max_length=200)
    gate_texts(reason=reason)  # the assignee reads it
    with transaction.atomic():
        assignment = (Assignment.objects.select_for_update().select_related("topic")
                      .get(pk=assignment.pk))
        if assignment.status not in HOLDING:
            raise ServiceError("not_live", f"该派单{assignment.get_status_display()}，不能取消",
                               status=409)
        assignment.status, assignment.cancel_reason = AssignmentStatus.CANCELLED, reason
        assignment.cancelled_by, assignment.closed_at = actor, now
        assignment.save(update_fields=["status", "cancel_reason", "cancelled_by", "closed_at"])
        if assignment.assignee_id:
            _resolve(assignment)
            notify(user=assignment.assignee, kind="planning_assignment", title="派单已取消",
                   body=f"{assignment.topic.title}（{assignment.get_duty_display()}，"
                   f"{timezone.localtime(assignment.starts_at):%m-%d %H:%M}）：{reason}",
                   link=WORK_LINK)
            _release_when_done(assignment.topic_id, now=now)
    return assignment


def resource_release(*, actor, assignment: Assignment,
                     now: datetime | None = None) -> Assignment:
    """归还: a vehicle or equipment booking ends now (early, or confirming a late return);
    the resource can be booked again from this moment."""
    _check_may_close(actor, assignment, "归还车辆器材")
    now = now or timezone.now()
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.resource_id is None:
            raise ServiceError("not_resource", "只有车辆或器材的预订可以归还", status=409)
        if assignment.status != AssignmentStatus.BOOKED:
            raise ServiceError("not_booked", f"该预订{assignment.get_status_display()}",
                               status=409)
        assignment.status, assignment.closed_at = AssignmentStatus.RELEASED, now
        assignment.save(update_fields=["status", "closed_at"])
    return assignment


def _release_when_done(topic_id: int, *, now: datetime) -> int:
    """The topic's job is over when no person holds an assignment on it any more: its
    vehicle and equipment bookings still held are released. Call inside the transaction."""
    if Assignment.objects.filter(topic_id=topic_id, assignee__isnull=False,
                                 status__in=HOLDING).exists():
        return 0
    return Assignment.objects.filter(topic_id=topic_id, resource__isnull=False,
                                     status=AssignmentStatus.BOOKED).update(
        status=AssignmentStatus.RELEASED, closed_at=now)


def remind_overdue(*, now: datetime | None = None) -> int:
    """The timer: an assignment past its deadline that is still offered or accepted reminds
    its assignee and the editor who dispatched it, once; a vehicle or equipment booking past
    its end and never released reminds the editor who booked it to confirm the return, once.
    Each row is claimed by a conditional UPDATE, so two runs (or two processes) remind
    nobody twice."""
    now = now or timezone.now()
    due = (Assignment.objects.filter(status__in=HOLDING, ends_at__lt=now,
                                     overdue_reminded_at__isnull=True)
           .values_list("pk", flat=True))
    sent = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            claimed = Assignment.objects.filter(pk=pk, overdue_reminded_at__isnull=True).update(
                overdue_reminded_at=now)
            if not claimed:
                continue
            row = Assignment.objects.select_related("topic", "assignee", "created_by",
                                                    "resource").get(pk=pk)
            until = f"{timezone.localtime(row.ends_at):%m-%d %H:%M}"
            if row.resource_id:
                if row.created_by is None:
                    continue
                notify(user=row.created_by, kind="planning_overdue", title="车辆器材预订已到期",
                       body=f"{row.resource}（{row.topic.title}，至{until}）尚未归还，请确认归还",
                       link=DESK_LINK, about=f"planning:assignment:{row.pk}")
            else:
                people = [p for p in (row.assignee, row.created_by) if p is not None]
                notify(users=people, kind="planning_overdue", title="派单已逾期",
                       body=f"{row.topic.title}（{row.who}，截止{until}）",
                       link=WORK_LINK, about=f"planning:assignment:{row.pk}")
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
