"""Write paths for 民生信息: posting, editing, closing, renewing, expiry, 查看电话, 举报,
and the operators' review and report handling."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from rongmei.core.masking import has_personal_number
from rongmei.core.roles import OPERATOR
from rongmei.core.text import clean_typed
from rongmei.units.access import check_role

from .fields import PRICE_FIELD, SCHEMAS, TEXT_KINDS, clean_fields
from .models import (
    Category,
    ContactReveal,
    Post,
    PostPhoto,
    PostStatus,
    Report,
    ReportReason,
    ReportStatus,
    ReviewMode,
)

MAX_PHOTOS = 9
POSTS_PER_DAY = 10
REVEALS_PER_HOUR = 20  # per person: enough to call around, too few to harvest numbers
REVEALS_PER_IP_HOUR = 60
RENEW_WITHIN = timedelta(days=3)  # renewal opens three days before expiry


def clean_photo(upload):
    """The one place photos are checked and stripped (type by decoding, EXIF/GPS removed).
    Switch to the central upload pipeline here when it lands."""
    from rongmei.core.uploads import clean_image

    return clean_image(upload, field="photos", max_side=1920)


def _gate(texts: dict[str, str]) -> bool:
    """Refuse a block-level hit (without naming the words); True when a review-level hit
    means the post must wait for an operator whatever the category says."""
    from rongmei.wordgate.services import scan

    needs_review = False
    for field, text in texts.items():
        verdict = scan(text or "")
        if verdict.blocked:
            raise ServiceError("sensitive_words", "内容包含不当用语，请修改后再提交", field=field)
        if any(hit.kind == "sensitive" for hit in verdict.hits):
            needs_review = True
    return needs_review


def _phone(value: str) -> str:
    from rongmei.accounts.validators import normalize_phone

    try:
        return normalize_phone(value or "")
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="contact_phone") from None


def _category(code_or_obj) -> Category:
    if isinstance(code_or_obj, Category):
        return code_or_obj
    category = Category.objects.filter(code=code_or_obj).first()
    if category is None:
        raise ServiceError("invalid_category", "请选择信息分类", field="category")
    return category


def _merchant_for(author, merchant_id):
    if not merchant_id:
        return None
    from rongmei.merchants.access import access_merchant

    return access_merchant(author, merchant_id)


def _unit_for(author, unit_id):
    """A unit posts (its 招聘) through one of its 分端管理员."""
    if not unit_id:
        return None
    from rongmei.core.roles import UNIT_ADMIN
    from rongmei.units.access import access_unit

    return access_unit(author, unit_id, UNIT_ADMIN)


def _validated(*, category, title, body, fields, contact_name, contact_phone):
    values = {
        "title": clean_typed(title, field="title", label="标题", max_length=40),
        "body": clean_typed(body, field="body", label="描述", max_length=1000, required=False),
        "contact_name": clean_typed(contact_name, field="contact_name", label="联系人",
                                    max_length=20),
        "contact_phone": _phone(contact_phone),
        "fields": clean_fields(category.code, fields or {}),
    }
    price_field = PRICE_FIELD.get(category.code)
    values["price"] = Decimal(values["fields"][price_field]) if price_field else None
    area = values["fields"].get("area")
    values["area"] = Decimal(area) if area else None
    public = {"title": values["title"], "body": values["body"], "contact_name":
              values["contact_name"]}
    for field in SCHEMAS[category.code]:
        if field.kind in TEXT_KINDS and values["fields"].get(field.name):
            public[field.name] = values["fields"][field.name]
    for field, text in public.items():
        if has_personal_number(text):
            # The number would be public in full; the contact field shows it only to
            # signed-in residents, masked in lists, with every reveal logged.
            raise ServiceError("number_in_text",
                               "标题、描述和联系人中请不要填写电话或证件号码，联系电话请填在“联系电话”一栏",
                               field=field)
    values["needs_review"] = _gate(public)
    return values


def _go_live(post: Post, now) -> None:
    post.status = PostStatus.PUBLISHED
    post.published_at = post.published_at or now
    post.expires_at = now + timedelta(days=post.category.expiry_days)


def post_create(*, author, category, title: str, body: str = "", fields: dict | None = None,
                contact_name: str, contact_phone: str, photos=(), merchant_id=None,
                unit_id=None) -> Post:
    """A resident posts; it shows at once in a 先发后审 category (and no word needed review),
    otherwise after an operator approves it."""
    if not author.is_authenticated:
        raise PermissionDeniedError("请先登录", code="login_required")
    category = _category(category)
    if not category.is_open:
        raise ServiceError("category_closed", f"“{category.name}”暂停发布", field="category")
    values = _validated(category=category, title=title, body=body, fields=fields,
                        contact_name=contact_name, contact_phone=contact_phone)
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ServiceError("too_many_photos", f"最多上传{MAX_PHOTOS}张图片", field="photos")
    cleaned = [clean_photo(p) for p in photos]
    merchant = _merchant_for(author, merchant_id)
    unit = _unit_for(author, unit_id)
    if merchant and unit:
        raise ServiceError("one_employer", "只能以商户或单位其中之一的名义发布", field="unit_id")
    ratelimit.hit("classifieds_post", str(author.pk), limit=POSTS_PER_DAY, window=86400,
                  message=f"每天最多发布{POSTS_PER_DAY}条信息，请明天再试")
    needs_review = values.pop("needs_review")
    now = timezone.now()
    with transaction.atomic():
        post = Post(category=category, author=author, merchant=merchant, unit=unit, **values)
        if category.review_mode == ReviewMode.AFTER and not needs_review:
            _go_live(post, now)
        post.save()
        for index, content in enumerate(cleaned):
            photo = PostPhoto(post=post, order=index)
            photo.image.save(content.name, content, save=False)
            photo.save()
    return post


def post_photos(*, actor, post: Post, add=(), remove=()) -> Post:
    """The author adds and removes photos of their post (the app's 管理图片 and the edit
    page). New photos are checked and stripped like a new post's, the total stays within
    ``MAX_PHOTOS``, and in a 先审后发 category a shown post with new photos waits for review
    again; removing a photo never needs review. All or nothing."""
    check_manager(actor, post)
    add = [p for p in add if p]
    remove = set(remove)
    if len(add) > MAX_PHOTOS:
        raise ServiceError("too_many_photos", f"最多上传{MAX_PHOTOS}张图片", field="photos")
    cleaned = [clean_photo(p) for p in add]  # decoding is slow: before the row lock
    if cleaned:  # only photos that were really images count against the day's allowance
        ratelimit.hit("classifieds_photo", str(actor.pk), limit=MAX_PHOTOS * POSTS_PER_DAY,
                      window=86400, message="今天上传的图片太多了，请明天再试")
    with transaction.atomic():
        post = _locked(post)
        if post.status in (PostStatus.CLOSED, PostStatus.REMOVED):
            raise ServiceError("post_final", f"信息{post.status_label}，不能再修改")
        if not post.category.is_open:
            raise ServiceError("category_closed", f"“{post.category.name}”暂停发布",
                               field="category")
        existing = {photo.pk: photo for photo in post.photos.all()}
        if remove - existing.keys():
            raise NotFoundError("图片不存在或不属于这条信息")
        if len(existing) - len(remove) + len(cleaned) > MAX_PHOTOS:
            raise ServiceError("too_many_photos", f"最多上传{MAX_PHOTOS}张图片",
                               field="photos")
        removed = [existing[pk] for pk in remove]
        next_order = max((p.order for p in existing.values()), default=-1) + 1
        for index, content in enumerate(cleaned):
            photo = PostPhoto(post=post, order=next_order + index)
            photo.image.save(content.name, content, save=False)
            photo.save()
        for photo in removed:
            photo.delete()
        if (cleaned and post.category.review_mode == ReviewMode.BEFORE
                and post.status in (PostStatus.PUBLISHED, PostStatus.REJECTED,
                                    PostStatus.EXPIRED)):
            post.status = PostStatus.PENDING
        # updated_at moves with every change of what the public sees: an operator's
        # approval names the version they reviewed (post_review's ``version``).
        post.save(update_fields=["status", "updated_at"])
        files = [(photo.image.storage, photo.image.name) for photo in removed]
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return post


def check_manager(actor, post: Post) -> Post:
    """Who manages a post: its author; for a post in a merchant's or a unit's name, the
    merchant's current staff or the unit's current 分端管理员 — so a clerk who has left can no
    longer edit what carries the shop's name, and the owner can close it."""
    if not actor.is_authenticated:
        raise PermissionDeniedError("只能管理自己发布的信息", code="not_your_post")
    if post.merchant_id or post.unit_id:
        try:
            if post.merchant_id:
                _merchant_for(actor, post.merchant_id)
            else:
                _unit_for(actor, post.unit_id)
        except (PermissionDeniedError, NotFoundError):
            raise PermissionDeniedError("这条信息以商户或单位名义发布，只有其现任工作人员可以管理",
                                        code="not_your_post") from None
        return post
    if post.author_id != actor.pk:
        raise PermissionDeniedError("只能管理自己发布的信息", code="not_your_post")
    return post


def _locked(post: Post) -> Post:
    """The post's row, locked until the transaction ends, read fresh: every write path
    decides on the current status (an operator's 下架 in between is seen, not overwritten)
    and two writers take turns. Call inside ``transaction.atomic()``."""
    return Post.objects.select_for_update().select_related("category").get(pk=post.pk)


def post_update(*, actor, post: Post, title: str, body: str = "", fields: dict | None = None,
                contact_name: str, contact_phone: str) -> Post:
    """The author edits their post; in a 先审后发 category it waits for review again."""
    check_manager(actor, post)
    values = _validated(category=post.category, title=title, body=body, fields=fields,
                        contact_name=contact_name, contact_phone=contact_phone)
    needs_review = values.pop("needs_review")
    with transaction.atomic():
        post = _locked(post)
        if post.status in (PostStatus.CLOSED, PostStatus.REMOVED):
            raise ServiceError("post_final", f"信息{post.status_label}，不能再修改")
        if not post.category.is_open:
            raise ServiceError("category_closed", f"“{post.category.name}”暂停发布",
                               field="category")
        for key, value in values.items():
            setattr(post, key, value)
        # An expired post edited now would come back by 续期 with unreviewed text (review
        # finding): it waits for review like a published one.
        if ((post.category.review_mode == ReviewMode.BEFORE or needs_review)
                and post.status in (PostStatus.PUBLISHED, PostStatus.REJECTED,
                                    PostStatus.EXPIRED)):
            post.status = PostStatus.PENDING
        post.save()
    return post


def post_close(*, actor, post: Post) -> Post:
    """已成交 / 已招满: the author ends a post; it leaves the lists."""
    check_manager(actor, post)
    with transaction.atomic():
        post = _locked(post)
        if post.status not in (PostStatus.PUBLISHED, PostStatus.PENDING, PostStatus.EXPIRED):
            raise ServiceError("post_final", f"信息{post.status_label}，不能结束")
        post.status = PostStatus.CLOSED
        post.closed_at = timezone.now()
        post.save(update_fields=["status", "closed_at", "updated_at"])
    return post


def post_renew(*, actor, post: Post) -> Post:
    """Renew a post near or past its expiry for another period of the category."""
    check_manager(actor, post)
    now = timezone.now()
    with transaction.atomic():
        post = _locked(post)
        if post.status == PostStatus.PUBLISHED:
            if post.expires_at and post.expires_at - now > RENEW_WITHIN:
                raise ServiceError("too_early", "到期前3天内才能续期")
        elif post.status != PostStatus.EXPIRED:
            raise ServiceError("cannot_renew", f"信息{post.status_label}，不能续期")
        if not post.category.is_open:
            raise ServiceError("category_closed", f"“{post.category.name}”暂停发布")
        post.status = PostStatus.PUBLISHED
        post.expires_at = now + timedelta(days=post.category.expiry_days)
        post.renewals += 1
        post.save(update_fields=["status", "expires_at", "renewals", "updated_at"])
    return post


def expire_posts(*, now=None) -> int:
    """The timer: published posts past their date become 已到期. One UPDATE; running it
    twice (or in two processes) expires each post once and changes nothing more."""
    now = now or timezone.now()
    return Post.objects.filter(status=PostStatus.PUBLISHED, expires_at__lte=now).update(
        status=PostStatus.EXPIRED, updated_at=now)


def reveal_contact(*, user, post: Post, ip: str | None = None) -> str:
    """查看电话: a signed-in resident sees the full number of a live post; logged and
    rate-limited per person and per address, so numbers cannot be harvested."""
    if not user.is_authenticated:
        raise PermissionDeniedError("登录后才能查看电话", code="login_required")
    if post.author_id == user.pk:
        return post.contact_phone
    if post.status != PostStatus.PUBLISHED:
        raise NotFoundError("信息不存在或已下架")
    checks = [("classifieds_reveal", str(user.pk), REVEALS_PER_HOUR)]
    if ip:
        checks.append(("classifieds_reveal_ip", ip, REVEALS_PER_IP_HOUR))
    ratelimit.hit_all(checks, window=3600, message="查看电话过于频繁，请稍后再试")
    ContactReveal.objects.create(post=post, user=user, ip=ip or None)
    return post.contact_phone


def report_post(*, user, post: Post, reason: str, note: str = "") -> Report:
    if not user.is_authenticated:
        raise PermissionDeniedError("请先登录", code="login_required")
    if post.status != PostStatus.PUBLISHED:
        raise NotFoundError("信息不存在或已下架")
    if reason not in ReportReason.values:
        raise ServiceError("invalid_reason", "请选择举报原因", field="reason")
    note = clean_typed(note, field="note", label="说明", max_length=200, required=False)
    try:
        with transaction.atomic():
            return Report.objects.create(post=post, reporter=user, reason=reason, note=note)
    except IntegrityError:
        raise ServiceError("already_reported", "您已举报过这条信息，我们会尽快处理",
                           status=409) from None


# --- operators ---------------------------------------------------------------------------

def post_version(post: Post) -> str:
    """What an operator reviewed: the post as of its last change (text or photos)."""
    return post.updated_at.isoformat() if post.updated_at else ""


def post_review(*, actor, post: Post, approve: bool, note: str = "",
                version: str | None = None) -> Post:
    """Approve or reject a pending post. ``version`` (``post_version`` of the copy the
    operator read) makes the decision about that copy: if the author changed the text or
    photos since, it is refused and the operator looks again."""
    check_role(actor, OPERATOR)
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ServiceError("required", "驳回时请填写原因", field="note")
    with transaction.atomic():
        post = _locked(post)
        if post.status != PostStatus.PENDING:
            raise ServiceError("not_pending", "这条信息不在待审核状态")
        if version is not None and version != post_version(post):
            raise ServiceError("changed", "发布人刚刚修改了这条信息，请重新查看后再审核",
                               status=409)
        now = timezone.now()
        if approve:
            _go_live(post, now)
        else:
            post.status = PostStatus.REJECTED
        post.review_note, post.reviewed_by, post.reviewed_at = note, actor, now
        post.save()
    return post


def report_handle(*, actor, report: Report, remove: bool, note: str = "") -> Report:
    """Take the post down (every open report on it is settled) or dismiss this report."""
    check_role(actor, OPERATOR)
    if report.status != ReportStatus.OPEN:
        raise ServiceError("handled", "该举报已处理")
    now = timezone.now()
    with transaction.atomic():
        if remove:
            post = _locked(report.post)
            post.status = PostStatus.REMOVED
            post.review_note = (note or "因举报核实下架")[:200]
            post.reviewed_by, post.reviewed_at = actor, now
            post.save()
            Report.objects.filter(post=post, status=ReportStatus.OPEN).update(
                status=ReportStatus.REMOVED, handled_by=actor, handled_at=now)
        else:
            Report.objects.filter(pk=report.pk).update(
                status=ReportStatus.DISMISSED, handled_by=actor, handled_at=now)
    report.refresh_from_db()
    return report
