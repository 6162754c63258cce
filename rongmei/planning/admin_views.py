"""Console screens of 策划指挥: 线索 (the tip desk: triage, logged contact, a unit's lead,
问政转线索), 选题 (报题 and 选题会 by day or week, 派单 per topic) and 指挥调度 (the board, which
polls its own JSON). Each screen asks the access module; the services ask again."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.console import RoleScreen
from rongmei.core.errors import ServiceError
from rongmei.core.modules import module_is_on
from rongmei.core.moments import local_aware
from rongmei.units.access import has_role, people_with_role

from . import dispatch, events, selectors, services
from .models import (
    HOLDING,
    Assignment,
    AssignmentStatus,
    Coverage,
    CoverageKind,
    Duty,
    Event,
    EventKind,
    Outlet,
    Resource,
    Tip,
    TipStatus,
    Topic,
    TopicStatus,
)


class _Screen(RoleScreen, WagtailAdminTemplateMixin, TemplateView):
    pass


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return local_aware(moment)


class TipsView(_Screen):
    template_name = "planning/console/tips.html"
    page_title = "线索"
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", TipStatus.NEW)
        status = status if status in TipStatus.values else TipStatus.NEW
        user = self.request.user
        tips = selectors.tip_desk(status=status)
        if not has_role(user, *services.NEWSDESK):
            tips = tips.filter(sender=user)  # a unit or a reporter sees what it reported
        return {**super().get_context_data(**kwargs), "status": status,
                "statuses": TipStatus.choices,
                "tips": tips[:100],
                "may_triage": has_role(user, *services.NEWSDESK),
                "may_see_contact": has_role(user, *services.CONTACT_ROLES),
                "may_take_comments": has_role(user, *services.COMMENT_TO_TIP)
                and module_is_on("engage"),
                "wenzheng_on": module_is_on("wenzheng")}

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "report":
                services.tip_report(actor=request.user, title=request.POST.get("title", ""),
                                    body=request.POST.get("body", ""),
                                    place=request.POST.get("place", ""),
                                    unit_id=_pk(request.POST.get("unit_id")) or None)
                messages.success(request, "线索已报送")
            elif action == "comment" or request.POST.get("comment_to_tip"):
                # From 评论审核 (互动), whose comment rows carry this button, or typed here.
                comment_id = _pk(request.POST.get("comment_to_tip") or
                                 request.POST.get("comment_id"))
                tip = services.tip_from_comment(actor=request.user, comment_id=comment_id)
                messages.success(request, f"已转为线索：{tip.title}")
            elif action == "to_media":
                asset = services.tip_video_to_media(actor=request.user,
                                                    video_id=_pk(request.POST.get("video")))
                messages.success(request, f"已导入素材库：{asset.title}（转码完成后可在稿件中使用）")
            elif action == "wenzheng":
                tip = services.tip_from_wenzheng(actor=request.user,
                                                 case_id=_pk(request.POST.get("case_id")))
                messages.success(request, f"已转为线索：{tip.title}")
            else:
                tip = Tip.objects.filter(pk=_pk(request.POST.get("tip"))).first()
                if tip is None:
                    raise ServiceError("not_found", "线索不存在")
                if action == "contact":
                    contact = services.tip_contact(viewer=request.user, tip=tip,
                                                   reason=request.POST.get("reason", ""))
                    messages.info(request, f"“{tip.title}”联系人：{contact['name'] or '未填'}，"
                                  f"电话：{contact['phone'] or '未填'}（已记录查看）")
                else:
                    services.tip_triage(actor=request.user, tip=tip,
                                        decision=request.POST.get("decision", ""),
                                        note=request.POST.get("note", ""),
                                        merge_into_id=_pk(request.POST.get("merge_into")) or None)
                    messages.success(request, f"“{tip.title}”已处理")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())


class TopicsView(_Screen):
    template_name = "planning/console/topics.html"
    page_title = "选题与派单"
    header_icon = "calendar"

    def get_context_data(self, **kwargs):
        day = _date(self.request.GET.get("day")) or timezone.localdate()
        span = "week" if self.request.GET.get("span") == "week" else "day"
        start, end = (day, day) if span == "day" else selectors.week_of(day)
        user = self.request.user
        return {**super().get_context_data(**kwargs), "day": day, "span": span,
                "start": start, "end": end,
                "topics": selectors.topics_for(user, start, end),
                "events": selectors.events_between(start, end),
                "event_kinds": EventKind.choices, "coverage_kinds": CoverageKind.choices,
                "outlets": Outlet.choices, "duties": Duty.choices,
                "may_review": has_role(user, *services.NEWSDESK),
                "people": people_with_role(*services.ASSIGNABLE)[:200],
                "resources": Resource.objects.filter(is_active=True),
                "approved": TopicStatus.APPROVED, "holding": HOLDING,
                "booked": AssignmentStatus.BOOKED}

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "propose":
                services.topic_propose(
                    actor=request.user, title=request.POST.get("title", ""),
                    angle=request.POST.get("angle", ""), sources=request.POST.get("sources", ""),
                    outlets=request.POST.getlist("outlets"),
                    planned_date=_date(request.POST.get("planned_date")),
                    unit_id=_pk(request.POST.get("unit_id")) or None)
                messages.success(request, "选题已提交")
            elif action == "event":
                events.event_create(
                    actor=request.user, title=request.POST.get("title", ""),
                    kind=request.POST.get("kind", ""),
                    starts_at=_moment(request.POST.get("starts_at")),
                    ends_at=_moment(request.POST.get("ends_at")),
                    place=request.POST.get("place", ""),
                    description=request.POST.get("description", ""))
                messages.success(request, "事件已登记")
            elif action == "coverage":
                event = Event.objects.filter(pk=_pk(request.POST.get("event"))).first()
                if event is None:
                    raise ServiceError("not_found", "事件不存在")
                events.coverage_plan(actor=request.user, event=event,
                                     kind=request.POST.get("kind", ""),
                                     outlets=request.POST.getlist("outlets"),
                                     note=request.POST.get("note", ""))
                messages.success(request, f"“{event.title}”报道计划已保存")
            elif action == "staff":
                coverage = Coverage.objects.filter(pk=_pk(request.POST.get("coverage"))).first()
                if coverage is None:
                    raise ServiceError("not_found", "报道计划不存在")
                topic = events.coverage_staff(actor=request.user, coverage=coverage)
                messages.success(request, f"已立项：{topic.title}，可以派单了")
            elif action in ("cancel", "release"):
                row = Assignment.objects.filter(pk=_pk(request.POST.get("assignment"))).first()
                if row is None:
                    raise ServiceError("not_found", "派单不存在")
                if action == "cancel":
                    dispatch.assignment_cancel(actor=request.user, assignment=row,
                                               reason=request.POST.get("reason", ""))
                    messages.success(request, f"已取消：{row}")
                else:
                    dispatch.resource_release(actor=request.user, assignment=row)
                    messages.success(request, f"已归还：{row.resource}")
            else:
                topic = Topic.objects.filter(pk=_pk(request.POST.get("topic"))).first()
                if topic is None:
                    raise ServiceError("not_found", "选题不存在")
                if action == "assign":
                    duty = request.POST.get("duty", "")
                    who = _pk(request.POST.get("who")) or None
                    person = duty in (Duty.REPORTER, Duty.CAMERA)
                    dispatch.assignment_create(
                        actor=request.user, topic=topic, duty=duty,
                        assignee_id=who if person else None,
                        resource_id=None if person else who,
                        starts_at=_moment(request.POST.get("starts_at")),
                        ends_at=_moment(request.POST.get("ends_at")),
                        place=request.POST.get("place", ""), note=request.POST.get("note", ""))
                    messages.success(request, f"“{topic.title}”已派单")
                else:
                    services.topic_review(actor=request.user, topic=topic,
                                          decision=request.POST.get("decision", ""),
                                          note=request.POST.get("note", ""),
                                          merge_into_id=_pk(request.POST.get("merge_into")) or None)
                    messages.success(request, f"“{topic.title}”已审核")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())


class BoardView(_Screen):
    """指挥调度: the page polls ``?format=json`` every 30 seconds (desktop and wall)."""

    template_name = "planning/console/board.html"
    page_title = "指挥调度"
    header_icon = "desktop"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "json":
            return JsonResponse(selectors.board(), json_dumps_params={"ensure_ascii": False})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "board": selectors.board()}
