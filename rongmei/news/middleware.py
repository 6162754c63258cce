"""Workflow action URLs: a person 三审 refuses gets the reason in Chinese, not Wagtail's
generic "no permission" (the refusal itself is ``ReviewTask.get_actions``/``on_action``)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect

WORKFLOW_ACTION_VIEWS = frozenset({"wagtailadmin_pages:workflow_action",
                                   "wagtailadmin_pages:collect_workflow_action_data"})


class ReviewRefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name not in WORKFLOW_ACTION_VIEWS:
            return None
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        from wagtail.models import TaskState

        from .models import ReviewTask
        from .review import review_refusal

        task_state = (TaskState.objects.select_related("workflow_state")
                      .filter(pk=view_kwargs.get("task_state_id")).first())
        if task_state is None or not isinstance(task_state.task.specific, ReviewTask):
            return None
        refusal = review_refusal(task_state, request.user)
        if not refusal:
            return None
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return JsonResponse({"code": "review_refused", "message": refusal, "field": None},
                                status=403)
        from django.contrib import messages
        messages.error(request, refusal)
        return redirect("wagtailadmin_pages:edit", view_kwargs.get("page_id"))
