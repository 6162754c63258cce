"""策划指挥 in the resident app: 爆料 (a form with photos and an optional location), 我的爆料
(the outcome of each), and 我的派单, the phone workspace where an assignee accepts or
declines, reports progress and hands in the story."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.masking import mask_phone
from rongmei.core.uploads import serve_user_file

from . import dispatch, selectors, services
from .models import Assignment

TIP_FIELDS = ("title", "body", "place", "contact_name", "contact_phone", "latitude",
              "longitude", "idempotency_key")


@login_required
def tip_new_view(request):
    values = {key: request.POST.get(key, "") for key in TIP_FIELDS}
    # One key per form shown: a double tap on 提交 makes one tip (kept when the form is
    # shown again with an error, so the corrected resubmission is still that one tip).
    values["idempotency_key"] = values["idempotency_key"] or secrets.token_urlsafe(16)
    account_phone = request.user.phone or ""
    if request.method == "POST":
        if request.POST.get("use_account_phone") == "1" and not values["contact_phone"]:
            # The resident ticked “使用登录手机号”: their explicit choice, never a default.
            values["contact_phone"] = account_phone
        try:
            services.tip_submit(sender=request.user, photos=request.FILES.getlist("photos"),
                                videos=request.FILES.getlist("video"), **values)
        except ServiceError as exc:
            return render(request, "planning/tip_form.html",
                          {"values": values, "error": exc.message, "field": exc.field,
                           "account_phone": mask_phone(account_phone)},
                          status=exc.status)
        messages.success(request, "爆料已收到，编辑部会尽快核实，结果可在“我的爆料”查看")
        return redirect("planning:my_tips")
    return render(request, "planning/tip_form.html",
                  {"values": values, "account_phone": mask_phone(account_phone)})


def tip_file_view(request, pk: int, kind: str):
    """A tip's photo or video: its sender, or the desk (services.tip_file_open); no one
    else, and nothing without signing in (the file is under private/, never at MEDIA_URL)."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        name, handle = services.tip_file_open(viewer=request.user, kind=kind, pk=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    return serve_user_file(handle, name=name)


@login_required
def my_tips_view(request):
    return render(request, "planning/my_tips.html",
                  {"tips": selectors.my_tips(request.user)[:50]})


@login_required
def work_view(request):
    return render(request, "planning/work.html",
                  {"assignments": selectors.my_assignments(request.user)[:50],
                   "stories": selectors.recent_stories_of(request.user)})


@login_required
@require_POST
def work_action_view(request, pk: int, action: str):
    assignment = (Assignment.objects.select_related("topic")
                  .filter(pk=pk, assignee=request.user).first())
    try:
        if assignment is None:
            raise ServiceError("not_found", "派单不存在", status=404)
        if action == "accept":
            dispatch.assignment_respond(actor=request.user, assignment=assignment, accept=True)
            messages.success(request, "已接单")
        elif action == "decline":
            dispatch.assignment_respond(actor=request.user, assignment=assignment,
                                        accept=False, reason=request.POST.get("reason", ""))
            messages.success(request, "已拒绝")
        elif action == "progress":
            dispatch.assignment_progress(actor=request.user, assignment=assignment,
                                         text=request.POST.get("text", ""))
            messages.success(request, "进展已反馈")
        else:
            try:
                story_id = int(request.POST.get("story_id", ""))
            except ValueError:
                raise ServiceError("invalid_story", "请填写稿件编号", field="story_id") from None
            dispatch.assignment_hand_in(actor=request.user, assignment=assignment,
                                        story_id=story_id)
            messages.success(request, "已交稿，署名已写入稿件")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("planning:work")
