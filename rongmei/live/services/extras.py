"""What else goes on in a room: 图文直播 entries, 直播带货 products, 抽奖, and the platforms
the stream is relayed to (多平台同步直播). Every write checks the room's access first and
announces what viewers must see at once as a priority message of the comment channel."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from rongmei.core import crypto
from rongmei.core import draw as drawing
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.masking import mask_phone
from rongmei.core.text import plain_text

from .. import fanout
from ..access import access_room, may_run_rooms
from ..models import (
    CommentStatus,
    DrawStatus,
    LiveComment,
    LiveDraw,
    LivePost,
    LiveProduct,
    PushTarget,
    RoomState,
    TargetStatus,
)
from ..states import log
from .comments import _sensitive, author_name


def _announce(room_id: int, kind: str, data: dict, msg_id: str) -> None:
    transaction.on_commit(lambda: fanout.publish(room_id, kind, data, msg_id=msg_id))


# --- 图文直播 ---------------------------------------------------------------------------------

def post_create(*, actor, room_id, body: str, image=None, pinned: bool = False) -> LivePost:
    text = plain_text(body or "").strip()
    if not text and image is None:
        raise ServiceError("empty_post", "请填写内容或选择图片", field="body")
    if len(text) > 2000:
        raise ServiceError("post_too_long", "每条最多2000个字", field="body")
    if text and _sensitive(text)[0]:
        raise ServiceError("sensitive_words", "内容含有不允许发布的内容，请修改", field="body")
    with transaction.atomic():
        room = access_room(actor, room_id, blog=True)
        if room.state in (RoomState.ENDED, RoomState.REPLAY):
            raise ServiceError("room_over", "直播已结束，不能再发布", status=409)
        post = LivePost.objects.create(room=room, author=actor, body=text, image=image,
                                       pinned=bool(pinned))
        log(room, actor, "post", text[:100])
        _announce(room.pk, fanout.POST, {"pid": post.pk}, f"p{post.pk}")
    return post


def post_update(*, actor, room_id, post_id, pinned: bool | None = None,
                removed: bool | None = None) -> LivePost:
    with transaction.atomic():
        room = access_room(actor, room_id, blog=True)
        post = LivePost.objects.select_for_update().filter(room=room, pk=post_id).first()
        if post is None:
            raise NotFoundError("条目不存在")
        if not may_run_rooms(actor) and post.author_id != actor.pk:
            # A reporter writes the live blog; pinning or removing a colleague's entry is
            # the room's runners' call.
            raise PermissionDeniedError("只能置顶或删除自己发的图文直播条目")
        if pinned is not None:
            post.pinned = bool(pinned)
        if removed is not None:
            post.is_removed = bool(removed)
        post.save(update_fields=["pinned", "is_removed"])
        log(room, actor, "post_update", f"{post.pk} 置顶={post.pinned} 删除={post.is_removed}")
        _announce(room.pk, fanout.POST, {"pid": post.pk, "changed": True}, f"p{post.pk}u")
    return post


# --- 直播带货 -----------------------------------------------------------------------------------

def clean_product_url(url: str) -> str:
    """A path on this site (the mall's product page), never an outside address."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if not url.startswith("/") or url.startswith("//") or parts.scheme or parts.netloc \
            or not re.fullmatch(r"/[\w\-/.%?=&]*", url):
        raise ServiceError("invalid_url", "请填写站内商品页路径，如 /mall/products/12/", field="url")
    return url[:300]


def product_add(*, actor, room_id, title: str, url: str, price_text: str = "",
                image_url: str = "") -> LiveProduct:
    title = " ".join(plain_text(title or "").split())
    if not title or len(title) > 60:
        raise ServiceError("invalid_title", "请填写商品名称（60字以内）", field="title")
    price_text = plain_text(price_text or "", max_length=30)
    url = clean_product_url(url)
    image_url = (image_url or "").strip()
    if image_url and not (image_url.startswith("/") or image_url.startswith("https://")):
        raise ServiceError("invalid_image", "图片地址须以 / 或 https:// 开头", field="image_url")
    with transaction.atomic():
        room = access_room(actor, room_id)
        product = LiveProduct.objects.create(
            room=room, title=title, url=url, price_text=price_text, image_url=image_url[:300],
            sort_order=room.products.count())
        log(room, actor, "product_add", title)
    return product


def product_present(*, actor, room_id, product_id) -> LiveProduct:
    """正在讲解: the product pops up for every viewer with its link."""
    with transaction.atomic():
        room = access_room(actor, room_id)
        product = LiveProduct.objects.filter(room=room, pk=product_id, is_active=True).first()
        if product is None:
            raise NotFoundError("商品不存在或已下架")
        product.pinned_at = timezone.now()
        product.save(update_fields=["pinned_at"])
        log(room, actor, "product_present", product.title)
        _announce(room.pk, fanout.PRODUCT, {
            "product": {"id": product.pk, "title": product.title, "price": product.price_text,
                        "url": product.url, "image": product.image_url}},
            f"g{product.pk}:{int(product.pinned_at.timestamp())}")
    return product


def product_remove(*, actor, room_id, product_id) -> None:
    with transaction.atomic():
        room = access_room(actor, room_id)
        updated = LiveProduct.objects.filter(room=room, pk=product_id).update(is_active=False)
        if not updated:
            raise NotFoundError("商品不存在")
        log(room, actor, "product_remove", str(product_id))
        _announce(room.pk, fanout.PRODUCT, {"removed": int(product_id)}, f"g{product_id}:x")


# --- 抽奖 ---------------------------------------------------------------------------------------

def draw_create(*, actor, room_id, prize: str, winners_count: int) -> LiveDraw:
    """Announce a draw among this room's commenters; its commitment goes out at once."""
    prize = " ".join(plain_text(prize or "").split())
    if not prize or len(prize) > 60:
        raise ServiceError("invalid_prize", "请填写奖品（60字以内）", field="prize")
    if not isinstance(winners_count, int) or not 1 <= winners_count <= 500:
        raise ServiceError("invalid_winners", "中奖人数应为1到500", field="winners_count")
    with transaction.atomic():
        room = access_room(actor, room_id)
        if room.state != RoomState.LIVE:
            raise ServiceError("not_live", "直播进行中才能发起抽奖", status=409)
        seed = secrets.token_hex(32)
        draw = LiveDraw.objects.create(room=room, prize=prize, winners_count=winners_count,
                                       seed=seed, commitment=drawing.commitment(seed),
                                       created_by=actor)
        log(room, actor, "draw_create", f"{prize} × {winners_count}")
        _announce(room.pk, fanout.DRAW, {
            "did": draw.pk, "prize": prize, "winners_count": winners_count,
            "commitment": draw.commitment, "status": "open",
            "rule": "开奖时从本直播间已发布评论的观众中抽取"}, f"d{draw.pk}")
    return draw


def live_draw_label(draw) -> str:
    """The draw's ``public_value`` in the shared engine (``rongmei.core.draw``).

    A room's draw has no outside number drawn after its list closes (the list closes when
    the host presses 开奖), so the value is the draw's own public label: the result is fixed
    by the seed committed at 发起抽奖 and the sealed list, and anyone can recompute it with
    the downloadable script. For allocations where the host must not be able to choose the
    moment of closing, use the vouchers' 报名摇号 with a lottery number as public value."""
    return f"live:{draw.room_id}:{draw.pk}"


def draw_entrants(room) -> list[int]:
    """Who takes part: everyone with a published comment in the room, once each."""
    return list(LiveComment.objects.filter(room=room, status=CommentStatus.APPROVED)
                .values_list("author_id", flat=True).distinct())


def draw_run(*, actor, room_id, draw_id) -> LiveDraw:
    """开奖: seal the entrants, reveal the seed, announce the winners (priority message)."""
    from rongmei.accounts.models import User

    with transaction.atomic():
        room = access_room(actor, room_id)
        draw = LiveDraw.objects.select_for_update().filter(room=room, pk=draw_id).first()
        if draw is None:
            raise NotFoundError("抽奖不存在")
        if draw.status == DrawStatus.DRAWN:
            return draw  # idempotent: a double click announces once
        entrants = draw_entrants(room)
        if not entrants:
            raise ServiceError("no_entrants", "还没有观众参与（发表并通过审核的评论），暂不能开奖",
                               status=409)
        order = drawing.draw_order(seed=draw.seed, entries=entrants,
                                   public_value=live_draw_label(draw))
        chosen = [int(x) for x in order[:draw.winners_count]]
        users = {u.pk: u for u in User.objects.filter(pk__in=chosen)}
        draw.winners = [{"user": pk, "name": author_name(users[pk]),
                         "phone": mask_phone(users[pk].phone)} for pk in chosen if pk in users]
        draw.entries_digest = drawing.entries_digest(entrants)
        draw.entries_count = len(set(entrants))
        draw.status, draw.drawn_at = DrawStatus.DRAWN, timezone.now()
        draw.save()
        log(room, actor, "draw_run", f"{draw.prize}：{len(draw.winners)}人中奖")
        _announce(room.pk, fanout.DRAW, {
            "did": draw.pk, "prize": draw.prize, "status": "drawn",
            "winners": [{"name": w["name"], "phone": w["phone"]} for w in draw.winners],
            "seed": draw.seed, "commitment": draw.commitment,
            "entries_digest": draw.entries_digest, "entries_count": draw.entries_count,
            "public_value": live_draw_label(draw), "formula": drawing.FORMULA},
            f"d{draw.pk}:drawn")
    return draw


# --- 多平台同步直播 --------------------------------------------------------------------------

def _clean_push_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname or len(url) > 1000:
        raise ServiceError("invalid_push_url", "请粘贴平台提供的推流地址（rtmp:// 或 rtmps:// 开头，含推流码）",
                           field="url")
    return url


def _display(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.hostname}{path}/****"[:120]


def push_target_add(*, actor, room_id, name: str, url: str) -> PushTarget:
    name = " ".join(plain_text(name or "").split())
    if not name or len(name) > 30:
        raise ServiceError("invalid_name", "请填写平台名称（30字以内）", field="name")
    url = _clean_push_url(url)
    with transaction.atomic():
        room = access_room(actor, room_id)
        if room.push_targets.count() >= 8:
            raise ServiceError("too_many_targets", "每个直播间最多同步到8个平台")
        target = PushTarget.objects.create(room=room, name=name, url_encrypted=crypto.encrypt(url),
                                           url_display=_display(url))
        log(room, actor, "target_add", name)
    return target


def push_target_set(*, actor, room_id, target_id, enabled: bool | None = None,
                    delete: bool = False) -> None:
    with transaction.atomic():
        room = access_room(actor, room_id)
        target = PushTarget.objects.filter(room=room, pk=target_id).first()
        if target is None:
            raise NotFoundError("推流目标不存在")
        if delete:
            if target.status in (TargetStatus.CONNECTING, TargetStatus.LIVE):
                raise ServiceError("target_busy", "正在推流的目标不能删除，请先停用", status=409)
            target.delete()
            log(room, actor, "target_delete", target.name)
            return
        if enabled is not None:
            target.enabled = bool(enabled)
            target.save(update_fields=["enabled"])
            log(room, actor, "target_enable" if enabled else "target_disable", target.name)
