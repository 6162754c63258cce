"""Reads of notices: a person's inbox and its counts, and the SMS delivery record."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Box, Notice, SmsState


def inbox(*, user, box: str, include_done: bool = False):
    """待办: open ones (and, with ``include_done``, closed ones after them); 消息: newest first."""
    qs = Notice.objects.filter(user_id=user.pk, box=box)
    if box == Box.TODO:
        if not include_done:
            qs = qs.filter(done_at=None)
        return qs.order_by("done_at", "-created_at", "-pk")
    return qs.order_by("-created_at", "-pk")


def counts(*, user) -> dict[str, int]:
    """Open 待办 and unread 消息 of ``user`` in one query."""
    if not getattr(user, "is_authenticated", False):
        return {"todo": 0, "message": 0, "total": 0}
    row = Notice.objects.filter(user_id=user.pk).aggregate(
        todo=Count("pk", filter=Q(box=Box.TODO, done_at=None)),
        message=Count("pk", filter=Q(box=Box.MESSAGE, read_at=None)))
    return {**row, "total": row["todo"] + row["message"]}


def deliveries(*, state: str = ""):
    qs = Notice.objects.exclude(sms_state=SmsState.NONE).select_related("user")
    if state in SmsState.values and state:
        qs = qs.filter(sms_state=state)
    return qs.order_by("-created_at", "-pk")


def sms_failure_count() -> int:
    return Notice.objects.filter(sms_state=SmsState.FAILED).count()
