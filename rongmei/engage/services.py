"""Write paths of 互动: reads and video watches (points), likes and favourites, shares,
comments (先审后发) with the sensitive-word gate, reports (举报), and the newsroom's
moderation, replies and comment switch.

Counters in ``PageStats`` move by F-expressions in the same transaction as the row that
justifies them, and only when that row really changed (an inserted like, a deleted like, a
comment whose status moved by a conditional UPDATE), so they stay exact under concurrency.
Staff actions call ``check_role`` first and write a ``ModerationLog`` row.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from wagtail.models import Page

from rongmei.core import pagecache, ratelimit
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.roles import (
    ADMINISTRATOR,
    CHIEF_EDITOR,
    DIRECTOR,
    EDITOR,
    OPERATOR,
)
from rongmei.core.text import typed_text, visible_length
from rongmei.points.services import points_earn
from rongmei.units.access import check_role

from .counters import (  # noqa: F401  (re-exported: the app's one import point)
    PageStatsTuple,
    ensure_stats_rows,
    first_today,
    read_recorded,
    reader_id,
    reads_flush,
    stats_for,
)
from .models import (
    Comment,
    CommentReply,
    CommentStatus,
    ModerationAction,
    ModerationLog,
    PageCommentSetting,
    PageReaction,
    PageStats,
    ReactionKind,
    Report,
    ReportCategory,
    ReportStatus,
    ShareChannel,
    ShareEvent,
)

logger = logging.getLogger("rongmei.engage")

MODERATORS = (EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR, ADMINISTRATOR)
COMMENT_MAX = 500
REPLY_MAX = 500
REPORT_TEXT_MAX = 200
NOT_SIGNED_IN = "请先登录后再发表评论"


def report_hide_threshold() -> int:
    """Distinct reporters after which a comment is hidden pending review."""
    return int(getattr(settings, "ENGAGE_REPORT_HIDE_THRESHOLD", 3))


def live_page(page_id) -> Page:
    try:
        page_id = int(page_id)
    except (TypeError, ValueError):
        raise NotFoundError("稿件不存在或已下线") from None
    page = Page.objects.filter(pk=page_id, live=True).first()
    if page is None or page.depth <= 1:
        raise NotFoundError("稿件不存在或已下线")
    return page


def _require_resident(user, message: str = "请先登录") -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise ServiceError("not_authenticated", message, status=401)


def _log(actor, action: str, *, page_id=None, comment=None, report=None, note: str = ""):
    ModerationLog.objects.create(actor=actor, action=action, page_id=page_id, comment=comment,
                                 report=report, note=note[:200])


# --- reads and watches ------------------------------------------------------------------------

def read_beacon(*, page_id: int, user=None, device: str = "", fallback: str = "",
                now: datetime | None = None) -> bool:
    """One view of a page. Counted once per reader (account, else device) per page per
    county day; the first counted read of a signed-in reader earns ``read_article`` points.
    No database work for a repeated view; none at all for an anonymous one with Redis."""
    if not 0 < int(page_id) <= 2**31 - 1:
        raise NotFoundError("稿件不存在或已下线")
    who = reader_id(user=user, device=device, fallback=fallback)
    counted = read_recorded(int(page_id), who, now=now)
    if (counted and user is not None and user.is_authenticated
            and Page.objects.filter(pk=page_id, live=True).exists()):
        points_earn(user=user, action="read_article", source=f"page:{page_id}", now=now)
    return counted


def watch_page_types() -> tuple[str, ...]:
    """Page types ("app_label.model") whose ``watched`` beacon pays ``watch_video``."""
    return tuple(getattr(settings, "ENGAGE_WATCH_PAGE_TYPES", ("news.videopage",)))


def watch_beacon(*, page_id: int, user, now: datetime | None = None) -> bool:
    """The video has played most of its length: pay ``watch_video`` once per day."""
    from django.contrib.contenttypes.models import ContentType

    _require_resident(user)
    page = live_page(page_id)
    content_type = ContentType.objects.get_for_id(page.content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in watch_page_types():
        raise ServiceError("not_a_video", "该稿件不是视频")
    if not first_today("watch", page.pk, f"u{user.pk}", now=now):
        return False
    points_earn(user=user, action="watch_video", source=f"page:{page.pk}", now=now)
    return True


# --- likes and favourites ---------------------------------------------------------------------

_COUNTER = {ReactionKind.LIKE: "likes", ReactionKind.FAVOURITE: "favourites"}


def reaction_set(*, user, page_id, kind: str, on: bool) -> tuple[bool, int]:
    """Like/favourite (``on``) or undo it; idempotent. Returns (state, the page's count)."""
    _require_resident(user, "请先登录后再点赞或收藏")
    if kind not in _COUNTER:
        raise ServiceError("invalid_kind", "不支持的操作", field="kind")
    page = live_page(page_id) if on else Page.objects.filter(pk=page_id).first()
    if page is None:
        raise NotFoundError("稿件不存在或已下线")
    counter = _COUNTER[kind]
    with transaction.atomic():
        ensure_stats_rows([page.pk])
        if on:
            try:
                with transaction.atomic():
                    PageReaction.objects.create(page=page, user=user, kind=kind)
            except IntegrityError:  # already there (a double tap, another device)
                pass
            else:
                PageStats.objects.filter(pk=page.pk).update(**{counter: F(counter) + 1})
        else:
            deleted, _ = PageReaction.objects.filter(page=page, user=user, kind=kind).delete()
            if deleted:
                PageStats.objects.filter(pk=page.pk).update(**{counter: F(counter) - 1})
    count = PageStats.objects.filter(pk=page.pk).values_list(counter, flat=True).first() or 0
    return on, count


# --- shares -----------------------------------------------------------------------------------

def share_record(*, page_id, channel: str, user=None, ident: str = "") -> int:
    """Count a share; a signed-in sharer earns ``share`` points. Returns the page's count."""
    if channel not in ShareChannel.values:
        raise ServiceError("invalid_channel", "不支持的分享渠道", field="channel")
    page = live_page(page_id)
    signed_in = user is not None and user.is_authenticated
    ratelimit.hit("engage-share", f"u{user.pk}" if signed_in else ident or "anon", limit=30,
                  window=60, message="分享太频繁，请稍后再试")
    with transaction.atomic():
        ensure_stats_rows([page.pk])
        ShareEvent.objects.create(page=page, user=user if signed_in else None, channel=channel)
        PageStats.objects.filter(pk=page.pk).update(shares=F("shares") + 1)
        if signed_in:
            points_earn(user=user, action="share", source=f"page:{page.pk}")
    return PageStats.objects.filter(pk=page.pk).values_list("shares", flat=True).first() or 0


# --- comments ---------------------------------------------------------------------------------

def comments_open(page_id: int) -> bool:
    return not PageCommentSetting.objects.filter(page_id=page_id, comments_closed=True).exists()


def wordgate_scan(text: str):
    """The sensitive-word verdict (``rongmei.wordgate.services.scan``: ``.hits`` with
    ``.word``, ``.level`` and ``.kind``)."""
    from rongmei.wordgate.services import scan

    return scan(text)


BLOCKED_MESSAGE = "评论含有不允许发布的内容，请修改后再发"


def _sensitive(hits, level: str) -> list[str]:
    """Words of sensitive-word hits at ``level``. Typo entries are for the newsroom's own
    copy: a resident's slip of the pen neither blocks nor flags a comment."""
    words = []
    for hit in hits or ():
        if getattr(hit, "kind", "sensitive") == "typo" or getattr(hit, "level", "") != level:
            continue
        if hit.word not in words:
            words.append(str(hit.word)[:64])
    return words[:50]


def comment_post(*, user, page_id, body: str) -> Comment:
    """A resident's comment: plain text, 1–500 characters, rate-limited, through the
    sensitive-word gate ("block" words refuse it, "review" words flag it for the moderator),
    pending review (先审后发)."""
    _require_resident(user, NOT_SIGNED_IN)
    page = live_page(page_id)
    if not comments_open(page.pk):
        raise ServiceError("comments_closed", "本稿件已关闭评论", status=403)
    text = typed_text(body or "")
    if not visible_length(text):
        raise ServiceError("empty_comment", "请填写评论内容", field="body")
    if len(text) > COMMENT_MAX:
        raise ServiceError("comment_too_long", f"评论最多{COMMENT_MAX}字，当前{len(text)}字",
                           field="body")
    ratelimit.hit("engage-comment", str(user.pk), limit=5, window=60,
                  message="评论太频繁了，请一分钟后再试")
    ratelimit.hit("engage-comment-day", str(user.pk), limit=100, window=86400,
                  message="今天的评论次数已达上限，明天再来吧")
    hits = wordgate_scan(text).hits
    if _sensitive(hits, "block"):
        # Naming the words would let anyone probe the dictionary (wordgate refuses residents
        # its check API for the same reason): the message says what to do, not which word.
        raise ServiceError("comment_blocked", BLOCKED_MESSAGE, field="body")
    review = _sensitive(hits, "review")
    return Comment.objects.create(page=page, author=user, body=text, flagged=bool(review),
                                  wordgate_hits=review)


def comment_delete_own(*, user, comment_id) -> Comment:
    """The author withdraws their own comment."""
    _require_resident(user)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id, author=user).first()
        if comment is None:
            raise NotFoundError("评论不存在")
        if comment.status != CommentStatus.REMOVED:
            _move(comment, CommentStatus.REMOVED, reason="作者删除")
    return comment


def _move(comment: Comment, to_status: str, *, actor=None, reason: str = "") -> None:
    """Change status (caller holds the row lock) and keep the visible-comment count exact."""
    was_public = comment.is_public
    comment.status = to_status
    comment.reject_reason = reason[:200]
    if actor is not None:
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    _recount(comment, was_public)


def _pages_changed(page_id) -> None:
    """The story's page and its comments page show the public comments: their cached copies
    go once this commits; every other page stays cached."""
    pagecache.invalidate_on_commit(pagecache.page_tag(page_id))


def _recount(comment: Comment, was_public: bool) -> None:
    now_public = comment.is_public
    if was_public == now_public:
        return
    _pages_changed(comment.page_id)
    ensure_stats_rows([comment.page_id])
    PageStats.objects.filter(pk=comment.page_id).update(
        comments=F("comments") + (1 if now_public else -1))


_ALLOWED_FROM = {
    "approve": (CommentStatus.PENDING, CommentStatus.REJECTED),
    "reject": (CommentStatus.PENDING,),
    "remove": (CommentStatus.PENDING, CommentStatus.APPROVED),
}
_TARGET = {"approve": CommentStatus.APPROVED, "reject": CommentStatus.REJECTED,
           "remove": CommentStatus.REMOVED}
_LOG_ACTION = {"approve": ModerationAction.APPROVE, "reject": ModerationAction.REJECT,
               "remove": ModerationAction.REMOVE}


def comment_moderate(*, actor, comment_ids, decision: str, reason: str = "") -> list[Comment]:
    """Approve, reject (reason required) or remove comments, in one transaction. Comments
    already moved by someone else are skipped. Approval pays the author ``comment_approved``
    points once per comment. Returns the comments that moved."""
    check_role(actor, *MODERATORS, message="只有编辑、主编、总编辑、运营或管理员可以审核评论")
    if decision not in _TARGET:
        raise ServiceError("invalid_decision", "请选择通过、驳回或删除", field="decision")
    reason = typed_text(reason or "", max_length=200)
    if decision in ("reject", "remove") and not reason:
        raise ServiceError("reason_required", "驳回或删除评论须填写原因", field="reason")
    try:
        ids = sorted({int(pk) for pk in comment_ids})
    except (TypeError, ValueError):
        raise ServiceError("invalid_comment", "评论编号不正确", field="comments") from None
    if not ids:
        raise ServiceError("nothing_selected", "请先选择评论", field="comments")
    movable = Q(status__in=_ALLOWED_FROM[decision])
    if decision == "approve":  # approving a comment hidden by reports keeps it: shown again
        movable |= Q(status=CommentStatus.APPROVED, hidden_by_reports=True)
    moved = []
    with transaction.atomic():
        for comment in (Comment.objects.select_for_update().filter(movable, pk__in=ids)
                        .order_by("pk")):
            if decision == "approve" and comment.hidden_by_reports:
                # Reviewed and kept: the reports against it are dismissed.
                _reports_close(comment=comment, actor=actor, status=ReportStatus.DISMISSED)
                comment.hidden_by_reports = False
                comment.save(update_fields=["hidden_by_reports"])
                _recount(comment, was_public=False)
            _move(comment, _TARGET[decision], actor=actor,
                  reason="" if decision == "approve" else reason)
            _log(actor, _LOG_ACTION[decision], page_id=comment.page_id, comment=comment,
                 note=reason)
            if decision == "approve":
                points_earn(user=comment.author, action="comment_approved",
                            source=f"comment:{comment.pk}",
                            key=f"comment_approved:{comment.pk}")
            moved.append(comment)
    return moved


def comment_reply(*, actor, comment_id, body: str) -> CommentReply:
    """官方回复 under a comment (shown when the comment is public)."""
    check_role(actor, *MODERATORS, message="只有编辑、主编、总编辑、运营或管理员可以官方回复")
    text = typed_text(body or "")
    if not visible_length(text):
        raise ServiceError("empty_reply", "请填写回复内容", field="body")
    if len(text) > REPLY_MAX:
        raise ServiceError("reply_too_long", f"回复最多{REPLY_MAX}字", field="body")
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.status in (CommentStatus.REJECTED, CommentStatus.REMOVED):
        raise NotFoundError("评论不存在或已删除")
    from rongmei.core.public_text import gate_texts
    gate_texts(body=text)  # an official reply is public the moment it is saved
    with transaction.atomic():
        reply = CommentReply.objects.create(comment=comment, author=actor, body=text)
        _pages_changed(comment.page_id)
        _log(actor, ModerationAction.REPLY, page_id=comment.page_id, comment=comment,
             note=text[:200])
    return reply


def comments_set_open(*, actor, page_id, is_open: bool) -> PageCommentSetting:
    """Open or close comments on one page (a row keyed by the page; open by default)."""
    check_role(actor, *MODERATORS, message="只有编辑、主编、总编辑、运营或管理员可以开关评论")
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        raise NotFoundError("稿件不存在")
    with transaction.atomic():
        setting, _ = PageCommentSetting.objects.update_or_create(
            page=page, defaults={"comments_closed": not is_open, "changed_by": actor,
                                 "changed_at": timezone.now()})
        _pages_changed(page.pk)
        _log(actor, ModerationAction.OPEN if is_open else ModerationAction.CLOSE,
             page_id=page.pk)
    return setting


# --- reports ----------------------------------------------------------------------------------

def report_file(*, user, category: str, text: str = "", comment_id=None,
                page_id=None) -> Report:
    """举报 a comment or a page, once per reporter and target. A comment reported by
    ENGAGE_REPORT_HIDE_THRESHOLD distinct residents is hidden until staff review it."""
    _require_resident(user, "请先登录后再举报")
    if category not in ReportCategory.values:
        raise ServiceError("invalid_category", "请选择举报类型", field="category")
    text = typed_text(text or "", max_length=REPORT_TEXT_MAX)
    ratelimit.hit("engage-report", str(user.pk), limit=10, window=600,
                  message="举报太频繁，请稍后再试")
    with transaction.atomic():
        if comment_id is not None:
            comment = (Comment.objects.select_for_update()
                       .filter(pk=comment_id, status=CommentStatus.APPROVED).first())
            if comment is None:
                raise NotFoundError("评论不存在或已删除")
            if comment.author_id == user.pk:
                raise ServiceError("own_comment", "不能举报自己的评论")
            report = _report_create(page_id=comment.page_id, comment=comment, reporter=user,
                                    category=category, text=text)
            reporters = (Report.objects.filter(comment=comment, status=ReportStatus.OPEN)
                         .values("reporter").distinct().count())
            if reporters >= report_hide_threshold() and not comment.hidden_by_reports:
                was_public = comment.is_public
                comment.hidden_by_reports = True
                comment.save(update_fields=["hidden_by_reports"])
                _recount(comment, was_public)
            return report
        page = live_page(page_id)
        return _report_create(page_id=page.pk, comment=None, reporter=user, category=category,
                              text=text)


def _report_create(**fields) -> Report:
    try:
        with transaction.atomic():
            return Report.objects.create(**fields)
    except IntegrityError:
        raise ServiceError("already_reported", "您已举报过，我们会尽快处理", status=409) from None


def _reports_close(*, comment=None, page_id=None, actor, status: str) -> int:
    reports = Report.objects.filter(status=ReportStatus.OPEN)
    reports = (reports.filter(comment=comment) if comment is not None
               else reports.filter(page_id=page_id, comment__isnull=True))
    return reports.update(status=status, handled_by=actor, handled_at=timezone.now())


def report_handle(*, actor, report_id, decision: str, reason: str = "") -> int:
    """Settle every open report on the same target. ``dismiss``: the content stays (a
    comment hidden by reports shows again). ``remove``: the comment is removed, or the
    page is unpublished (撤稿, 总编辑 or 管理员 only). Returns the reports settled."""
    check_role(actor, *MODERATORS, message="只有编辑、主编、总编辑、运营或管理员可以处理举报")
    if decision not in ("dismiss", "remove"):
        raise ServiceError("invalid_decision", "请选择驳回举报或删除内容", field="decision")
    reason = typed_text(reason or "", max_length=200)
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise NotFoundError("举报不存在")
        if report.status != ReportStatus.OPEN:
            raise ServiceError("report_closed", "该举报已处理", status=409)
        status = ReportStatus.DISMISSED if decision == "dismiss" else ReportStatus.ACTIONED
        if report.comment_id:
            comment = Comment.objects.select_for_update().get(pk=report.comment_id)
            if decision == "remove":
                if comment.status != CommentStatus.REMOVED:
                    _move(comment, CommentStatus.REMOVED, actor=actor,
                          reason=reason or "经举报核实删除")
            elif comment.hidden_by_reports:
                was_public = comment.is_public
                comment.hidden_by_reports = False
                comment.save(update_fields=["hidden_by_reports"])
                _recount(comment, was_public)
            settled = _reports_close(comment=comment, actor=actor, status=status)
        else:
            if decision == "remove":
                check_role(actor, DIRECTOR, message="撤下稿件须由总编辑或管理员操作")
                page = Page.objects.filter(pk=report.page_id).first()
                if page is not None and page.live:
                    if not page.permissions_for_user(actor).can_unpublish():
                        raise PermissionDeniedError("您没有撤下该稿件的权限")
                    page.specific.unpublish(user=actor, log_action=True)
                _log(actor, ModerationAction.UNPUBLISH, page_id=report.page_id, report=report,
                     note=reason)
            settled = _reports_close(page_id=report.page_id, actor=actor, status=status)
        _log(actor, ModerationAction.DISMISS_REPORT if decision == "dismiss"
             else ModerationAction.ACTION_REPORT, page_id=report.page_id,
             comment=report.comment, report=report, note=reason)
    return settled


def require_moderator(user) -> None:
    """For console views: the roles that moderate (raises PermissionDeniedError)."""
    if user is None or not user.is_authenticated:
        raise PermissionDeniedError("请先登录")
    check_role(user, *MODERATORS, message="只有编辑、主编、总编辑、运营或管理员可以使用此功能")
