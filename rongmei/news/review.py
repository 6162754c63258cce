"""三审 separation of duties and the 紧急发布 bypass: who may pass a step, who may publish.

Two rules hold whatever roles a person holds (an account with 编辑 + 主编 + 总编辑 included):

* the author of a story (its owner, or whoever submitted it for review) never passes any
  review step of it;
* one person never passes two steps of the same review run.

They are enforced where Wagtail decides which workflow actions a user may take
(``ReviewTask.get_actions`` / ``user_can_access_editor`` / ``on_action``), so the action URLs
refuse, not just the buttons; ``ReviewRefusalMiddleware`` turns that refusal into the Chinese
reason instead of Wagtail's generic "no permission".

Publishing a story is allowed only when a finished 三审 run approved the revision, or by
the system (the scheduler publishing what was approved, data loaders: no user), or as a
总编辑's 紧急发布: a reason is required, the author may not use it on their own story, and
the reason goes into the story's history and the review trail (``UrgentPublish``).
"""

from __future__ import annotations

import contextlib
import contextvars

from django.core.exceptions import PermissionDenied

from rongmei.core.text import strip_controls, visible_length

URGENT_LOG_ACTION = "rongmei.news.urgent_publish"
REVIEW_PASSED = "三审通过"
_exempt: contextvars.ContextVar[str] = contextvars.ContextVar("news_publish_exempt", default="")


def _urgent_model():
    # By name: the models call this module, so it does not import them back.
    from django.apps import apps
    return apps.get_model("news", "UrgentPublish")


def _author_ids(workflow_state) -> set[int]:
    page = workflow_state.content_object
    ids = {getattr(page, "owner_id", None), workflow_state.requested_by_id}
    return {pk for pk in ids if pk}


def review_refusal(task_state, user) -> str:
    """Why ``user`` may not act on ``task_state`` (a Chinese sentence), or "" when they may."""
    if user is None or not getattr(user, "pk", None):
        return "请先登录"
    from wagtail.models import TaskState

    workflow_state = task_state.workflow_state
    if user.pk in _author_ids(workflow_state):
        return "您是本稿的作者或送审人，不能审核自己的稿件"
    passed = (TaskState.objects.filter(workflow_state=workflow_state, finished_by=user,
                                       status=TaskState.STATUS_APPROVED)
              .exclude(task_id=task_state.task_id).select_related("task").first())
    if passed is not None:
        return f"您已通过本稿的“{passed.task.name}”，同一人不能再审本稿的其他步骤"
    return ""


def current_refusal(page, user) -> str:
    """``review_refusal`` for the step ``page`` is at now ("" when it is not under review)."""
    workflow_state = page.current_workflow_state
    task_state = workflow_state.current_task_state if workflow_state else None
    if task_state is None:
        return ""
    return review_refusal(task_state, user)


# -- publishing ---------------------------------------------------------------------------------

URGENT_REASON_MIN = 2


def urgent_refusal(page, user, reason: str) -> str:
    """Why ``user`` may not publish ``page`` directly, skipping 三审 ("" when they may)."""
    owner_id = page.owner_id if page.pk else getattr(user, "pk", None)
    workflow_state = page.current_workflow_state if page.pk else None
    if getattr(user, "pk", None) in {owner_id, getattr(workflow_state, "requested_by_id", None)}:
        return "不能紧急发布自己写的或自己送审的稿件，请送三审"
    if visible_length(reason) < URGENT_REASON_MIN:  # zero-width or filler is no reason
        return f"跳过三审直接发布（紧急发布）须填写紧急发布理由（至少{URGENT_REASON_MIN}个字）"
    return ""


def record_urgent_publish(page, revision, user, reason: str):
    """Write the 紧急发布 into the trail: its own record, the story's history and, when the
    story was under review, the step it was at (the other reviewers see it there)."""
    from wagtail.log_actions import log

    reason = strip_controls(reason).strip()
    record = _urgent_model().objects.create(page_id=page.pk, revision_id=revision.pk, user=user,
                                          reason=reason)
    log(instance=page, action=URGENT_LOG_ACTION, user=user, revision=revision,
        data={"reason": reason})
    workflow_state = page.current_workflow_state
    if workflow_state is not None:
        # Wagtail would cancel the run on publish with an empty comment; cancel it here so
        # the step it was at keeps the reason.
        task_state = workflow_state.current_task_state
        workflow_state.cancel(user=user)
        if task_state is not None:
            task_state.refresh_from_db()
            task_state.comment = f"紧急发布（跳过三审）：{reason}"
            task_state.save(update_fields=["comment"])
    return record


@contextlib.contextmanager
def exempt_publish(why: str):
    """Let code publish without a review run, saying why (e.g. an automatic live replay).
    The word gate still applies."""
    token = _exempt.set(why)
    try:
        yield
    finally:
        _exempt.reset(token)


def approved_by_review() -> bool:
    """True inside the last approval of a review run."""
    return _exempt.get() == REVIEW_PASSED


def check_publish_allowed(page, revision, user) -> None:
    """Refuse (PermissionDenied with a Chinese reason) a publish that skipped 三审.

    Allowed: the last approval of a review run (``ReviewTask.on_action`` runs the publish
    inside ``exempt_publish``), the system (no user: the scheduler publishing an approved
    schedule, data loaders), an exempted automatic publish, or a recorded 紧急发布 of this
    very revision by this very user."""
    if user is None or not getattr(user, "pk", None) or _exempt.get():
        return
    if _urgent_model().objects.filter(revision_id=revision.pk, user=user).exists():
        return
    raise PermissionDenied("稿件未经三审，不能直接发布；总编辑紧急发布须在编辑页填写理由")


def check_reviewed_publish(page, revision, user):
    """What ``publish`` of a reviewed page (a story, a 专题) checks before it goes live: the
    person may publish (``check_publish_allowed``) and the revision passes the word gate
    (a refusal is kept in 发布拦截记录). Returns the revision's page."""
    from django.apps import apps

    from .gate import ContentBlocked, check_page

    check_publish_allowed(page, revision, user)
    candidate = revision.as_object()
    verdict = check_page(candidate)
    if verdict.blocked:
        apps.get_model("news", "PublishBlock").objects.create(
            page_id=page.pk, revision_id=revision.pk, message=verdict.message,
            user=user if getattr(user, "pk", None) else None)
        raise ContentBlocked(verdict)
    return candidate
