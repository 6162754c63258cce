"""Comments in a room (弹幕 and the list under the player) and the moderator's tools.

A resident's comment is checked (signed in, real name where the room asks, not muted,
comments open, length, rate, the word gate) and stored. In 先审后发 rooms it waits for a
moderator; in 先发后审 rooms it goes out at once — unless the word gate flagged it, which
always holds it back. What becomes visible is published into the room's channel on commit;
what a moderator removes afterwards is retracted the same way (a priority message, so no
viewer keeps it on screen).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.text import plain_text

from .. import fanout
from ..access import access_room
from ..models import (
    CommentMode,
    CommentStatus,
    LiveComment,
    LiveMute,
    LiveNotice,
    LiveRoom,
    RoomState,
)
from ..selectors import public_room
from ..states import announce_settings, log

BLOCKED_MESSAGE = "评论含有不允许发布的内容，请修改后再发"
NOT_SIGNED_IN = "请先登录后再发表评论"
OPEN_STATES = (RoomState.SCHEDULED, RoomState.LIVE)


def author_name(user) -> str:
    return getattr(user, "display_name", "") or "网友"


def comment_message(comment: LiveComment) -> dict:
    return {"cid": comment.pk, "author": author_name(comment.author), "body": comment.body}


def _publish_comment(comment: LiveComment) -> None:
    data, room_id, msg_id = comment_message(comment), comment.room_id, f"c{comment.pk}"
    transaction.on_commit(lambda: fanout.publish(room_id, fanout.COMMENT, data, msg_id=msg_id))


def _retract(comment: LiveComment) -> None:
    room_id, cid = comment.room_id, comment.pk
    transaction.on_commit(lambda: fanout.publish(room_id, fanout.RETRACT, {"cid": cid},
                                                 msg_id=f"x{cid}"))


def _sensitive(text: str) -> tuple[bool, list[str]]:
    """(blocked, review words) from the word gate; typo entries never block a resident."""
    from rongmei.wordgate.services import scan

    blocked, review = False, []
    for hit in scan(text).hits:
        if getattr(hit, "kind", "sensitive") == "typo":
            continue
        if hit.level == "block":
            blocked = True
        elif str(hit.word) not in review:
            review.append(str(hit.word)[:64])
    return blocked, review[:20]


def comment_post(*, user, room_id, body: str) -> LiveComment:
    if user is None or not user.is_authenticated:
        raise ServiceError("not_authenticated", NOT_SIGNED_IN, status=401)
    room = public_room(room_id)
    if room.state not in OPEN_STATES or room.comments_closed:
        raise ServiceError("comments_closed", "本直播间已关闭评论", status=403)
    if LiveMute.objects.filter(room=room, user=user).exists():
        raise ServiceError("muted", "您已被管理员禁言，暂时不能在本直播间发言", status=403)
    if room.require_realname:
        from rongmei.accounts.selectors import realname_of

        if realname_of(user=user) is None:
            raise ServiceError("realname_required", "本直播间须实名登记后才能发言，请先在“我的”中完成实名",
                               status=403)
    text = plain_text(body or "").replace("\n", " ").strip()
    limit = settings.LIVE_COMMENT_MAX
    if not text:
        raise ServiceError("empty_comment", "请填写评论内容", field="body")
    if len(text) > limit:
        raise ServiceError("comment_too_long", f"评论最多{limit}个字，当前{len(text)}个字",
                           field="body")
    ratelimit.hit("live-comment", f"{room.pk}:{user.pk}", limit=2, window=5,
                  message="发言太快了，请稍等几秒再发")
    ratelimit.hit("live-comment-minute", f"{room.pk}:{user.pk}", limit=12, window=60,
                  message="您发言过于频繁，请一分钟后再试")
    blocked, review = _sensitive(text)
    if blocked:
        raise ServiceError("comment_blocked", BLOCKED_MESSAGE, field="body")
    goes_out = room.comment_mode == CommentMode.POST and not review
    with transaction.atomic():
        comment = LiveComment.objects.create(
            room=room, author=user, body=text, flagged=bool(review), wordgate_hits=review,
            status=CommentStatus.APPROVED if goes_out else CommentStatus.PENDING)
        if goes_out:
            _publish_comment(comment)
    return comment


def comment_moderate(*, actor, room_id, comment_ids, decision: str) -> list[LiveComment]:
    """通过 (approve) or 删除 (remove) comments of one room; ones already moved are skipped."""
    if decision not in ("approve", "remove"):
        raise ServiceError("invalid_decision", "请选择通过或删除", field="decision")
    ids = [int(i) for i in comment_ids or [] if str(i).isdecimal()]
    with transaction.atomic():
        room = access_room(actor, room_id)
        if not ids:
            raise ServiceError("nothing_selected", "请先选择评论", field="comments")
        moved = []
        allowed = ([CommentStatus.PENDING] if decision == "approve"
                   else [CommentStatus.PENDING, CommentStatus.APPROVED])
        for comment in (LiveComment.objects.select_for_update().select_related("author")
                        .filter(room=room, pk__in=ids, status__in=allowed)):
            was_public = comment.status == CommentStatus.APPROVED
            comment.status = (CommentStatus.APPROVED if decision == "approve"
                              else CommentStatus.REMOVED)
            comment.moderated_by, comment.moderated_at = actor, timezone.now()
            comment.save(update_fields=["status", "moderated_by", "moderated_at"])
            if decision == "approve":
                _publish_comment(comment)
            elif was_public:
                _retract(comment)
            moved.append(comment)
        if moved:
            log(room, actor, decision, "、".join(str(c.pk) for c in moved)[:300])
    return moved


def mute(*, actor, room_id, user_id, reason: str = "") -> LiveMute:
    """禁言: the user can no longer comment here; their waiting comments are removed."""
    from rongmei.accounts.models import User

    with transaction.atomic():
        room = access_room(actor, room_id)
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFoundError("用户不存在")
        reason = plain_text(reason or "", max_length=200)
        try:
            with transaction.atomic():
                muted = LiveMute.objects.create(room=room, user=user, reason=reason,
                                                created_by=actor)
        except IntegrityError:
            return LiveMute.objects.get(room=room, user=user)
        LiveComment.objects.filter(room=room, author=user, status=CommentStatus.PENDING) \
            .update(status=CommentStatus.REMOVED, moderated_by=actor,
                    moderated_at=timezone.now())
        log(room, actor, "mute", f"{user.display_name}：{reason}")
    return muted


def unmute(*, actor, room_id, user_id) -> bool:
    with transaction.atomic():
        room = access_room(actor, room_id)
        deleted, _ = LiveMute.objects.filter(room=room, user_id=user_id).delete()
        if deleted:
            log(room, actor, "unmute", str(user_id))
    return bool(deleted)


def comments_switch(*, actor, room_id, closed: bool, mode: str | None = None) -> LiveRoom:
    """关闭/开启评论, and switch 先审后发 / 先发后审."""
    with transaction.atomic():
        room = access_room(actor, room_id, lock=True)
        if mode is not None:
            if mode not in CommentMode.values:
                raise ServiceError("invalid_comment_mode", "请选择先审后发或先发后审",
                                   field="mode")
            room.comment_mode = mode
        room.comments_closed = bool(closed)
        room.save(update_fields=["comments_closed", "comment_mode", "updated_at"])
        log(room, actor, "comments_close" if closed else "comments_open",
            room.get_comment_mode_display())
        announce_settings(room)
    return room


def notice_post(*, actor, room_id, body: str, pinned: bool = False) -> LiveNotice:
    """公告 / 置顶消息: a priority message every viewer gets, however busy the room."""
    text = plain_text(body or "").replace("\n", " ").strip()
    if not text:
        raise ServiceError("empty_notice", "请填写公告内容", field="body")
    if len(text) > 200:
        raise ServiceError("notice_too_long", "公告最多200个字", field="body")
    with transaction.atomic():
        room = access_room(actor, room_id)
        if _sensitive(text)[0]:
            raise ServiceError("sensitive_words", "公告含有不允许发布的内容，请修改", field="body")
        if pinned:
            LiveNotice.objects.filter(room=room, pinned=True).update(pinned=False)
        notice = LiveNotice.objects.create(room=room, body=text, pinned=bool(pinned),
                                           created_by=actor)
        log(room, actor, "notice", text)
        data, rid = {"nid": notice.pk, "body": text, "pinned": notice.pinned}, room.pk
        transaction.on_commit(lambda: fanout.publish(rid, fanout.NOTICE, data,
                                                     msg_id=f"n{data['nid']}"))
    return notice
