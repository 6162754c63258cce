"""Reads of 互动: public comments and favourites with keyset pagination, a reader's own
state on a page, the moderation queue, reports and per-story figures."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Prefetch, Q

from rongmei.core.errors import ServiceError

from .counters import pending_reads
from .models import (
    Comment,
    CommentReply,
    CommentStatus,
    PageCommentSetting,
    PageReaction,
    PageStats,
    ReactionKind,
    Report,
    ReportStatus,
)

PAGE_SIZE = 20


def encode_cursor(created_at: datetime, pk: int) -> str:
    return f"{int(created_at.timestamp() * 1_000_000)}_{pk}"


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """A keyset position (created_at, id) or None; a malformed cursor is a 400."""
    if not cursor:
        return None
    try:
        micros, pk = cursor.split("_", 1)
        moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        return moment, int(pk)
    except (ValueError, OverflowError, OSError):
        raise ServiceError("invalid_cursor", "分页参数不正确", field="cursor") from None


def _after(queryset, cursor: str | None, prefix: str = ""):
    position = decode_cursor(cursor)
    if position is None:
        return queryset
    moment, pk = position
    return queryset.filter(Q(**{f"{prefix}created_at__lt": moment})
                           | Q(**{f"{prefix}created_at": moment, f"{prefix}pk__lt": pk}))


def _page(rows: list, limit: int) -> tuple[list, str | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].created_at, rows[-1].pk) if more and rows else None)


def _with_replies(queryset):
    return queryset.select_related("author").prefetch_related(
        Prefetch("replies", queryset=CommentReply.objects.order_by("created_at", "pk")))


def public_comments(*, page_id: int, cursor: str | None = None,
                    limit: int = PAGE_SIZE) -> tuple[list[Comment], str | None]:
    """Approved, visible comments of a page, newest first, with the newsroom's replies."""
    limit = max(1, min(int(limit), 50))
    queryset = _with_replies(Comment.objects.filter(
        page_id=page_id, status=CommentStatus.APPROVED, hidden_by_reports=False))
    rows = list(_after(queryset, cursor).order_by("-created_at", "-pk")[:limit + 1])
    return _page(rows, limit)


def my_pending_comments(*, user, page_id: int) -> list[Comment]:
    """The reader's own comments awaiting review (shown to them only, marked 审核中)."""
    if not user.is_authenticated:
        return []
    return list(Comment.objects.filter(page_id=page_id, author=user,
                                       status=CommentStatus.PENDING)
                .order_by("-created_at", "-pk")[:20])


def page_counts(page_id: int) -> dict:
    row = PageStats.objects.filter(pk=page_id).values(
        "reads", "likes", "favourites", "shares", "comments").first()
    counts = row or {"reads": 0, "likes": 0, "favourites": 0, "shares": 0, "comments": 0}
    counts["reads"] += pending_reads(page_id)
    return counts


def page_state(*, page_id: int, user) -> dict:
    """Counts plus what only this reader may know: liked? favourited? pending comments."""
    state = {"counts": page_counts(page_id), "signed_in": user.is_authenticated,
             "liked": False, "favourited": False, "pending": [],
             "comments_open": not PageCommentSetting.objects.filter(
                 page_id=page_id, comments_closed=True).exists()}
    if user.is_authenticated:
        kinds = set(PageReaction.objects.filter(page_id=page_id, user=user)
                    .values_list("kind", flat=True))
        state["liked"] = ReactionKind.LIKE in kinds
        state["favourited"] = ReactionKind.FAVOURITE in kinds
        state["pending"] = my_pending_comments(user=user, page_id=page_id)
    return state


def favourites_of(*, user, cursor: str | None = None,
                  limit: int = PAGE_SIZE) -> tuple[list[PageReaction], str | None]:
    """The reader's favourites, newest first (keyset on the (created_at, id) index)."""
    limit = max(1, min(int(limit), 50))
    queryset = (PageReaction.objects.filter(user=user, kind=ReactionKind.FAVOURITE,
                                            page__live=True)
                .select_related("page"))
    rows = list(_after(queryset, cursor).order_by("-created_at", "-pk")[:limit + 1])
    return _page(rows, limit)


QUEUE_FILTERS = {
    "pending": Q(status=CommentStatus.PENDING),
    "flagged": Q(status=CommentStatus.PENDING, flagged=True),
    "hidden": Q(hidden_by_reports=True, status=CommentStatus.APPROVED),
    "approved": Q(status=CommentStatus.APPROVED),
    "rejected": Q(status=CommentStatus.REJECTED),
    "removed": Q(status=CommentStatus.REMOVED),
}
QUEUE_LABELS = (("pending", "待审核"), ("flagged", "命中敏感词"), ("hidden", "因举报隐藏"),
                ("approved", "已通过"), ("rejected", "未通过"), ("removed", "已删除"))


def moderation_queue(*, status: str = "pending", page_id: int | None = None):
    """Comments for the 评论审核 screen: oldest first while waiting, newest first after."""
    queryset = (_with_replies(Comment.objects.filter(QUEUE_FILTERS.get(status,
                                                                       QUEUE_FILTERS["pending"])))
                .select_related("page", "moderated_by")
                .annotate(open_reports=Count("reports",
                                             filter=Q(reports__status=ReportStatus.OPEN))))
    if page_id:
        queryset = queryset.filter(page_id=page_id)
    order = ("created_at", "pk") if status in ("pending", "flagged") else ("-created_at", "-pk")
    return queryset.order_by(*order)


def open_reports(*, status: str = ReportStatus.OPEN):
    if status not in ReportStatus.values:
        status = ReportStatus.OPEN
    return (Report.objects.filter(status=status)
            .select_related("page", "comment", "comment__author", "reporter", "handled_by")
            .order_by("-created_at", "-pk"))


def story_stats(*, order: str = "-reads", limit: int = 100):
    allowed = {"-reads", "-likes", "-comments", "-shares", "-favourites", "-updated_at"}
    return (PageStats.objects.select_related("page")
            .order_by(order if order in allowed else "-reads", "-pk")[:limit])
