"""Write paths for 企业之家: applications, review, staff, posts."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core.access import access_merchant, check_role
from rongmei.core.errors import ServiceError, validation_error_from_django
from rongmei.core.pagecache import invalidate_all
from rongmei.core.roles import MERCHANT, OPERATOR, ROLE_BY_CODE
from rongmei.core.text import contains_markup, plain_text
from rongmei.core.uploads import clean_image

from .models import (
    Merchant, MerchantPost, MerchantStaff, MerchantStaffRole, MerchantStatus, PostStatus,
)


def _full_clean(instance, *, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise validation_error_from_django(exc, code="invalid_merchant") from None


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = plain_text(value or "", max_length=max_length + 1)
    if required and not text:
        raise ServiceError("required", "此项不能为空", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", f"最多{max_length}个字", field=field)
    return text


def merchant_apply(*, applicant, name: str, category: str, credit_code: str, licence_photo,
                   address: str, contact_name: str, contact_phone: str, intro: str = "",
                   opening_hours: str = "", cover=None) -> Merchant:
    """A resident applies to list their business; an operator reviews it."""
    from rongmei.accounts.validators import normalize_phone

    if licence_photo is None:
        raise ServiceError("required", "请上传营业执照照片", field="licence_photo")
    try:
        phone = normalize_phone(contact_phone)
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="contact_phone") from None
    merchant = Merchant(
        applicant=applicant, name=_text(name, field="name", max_length=60),
        category=category, credit_code=(credit_code or "").strip().upper(),
        address=_text(address, field="address", max_length=120),
        contact_name=_text(contact_name, field="contact_name", max_length=20),
        contact_phone=phone, intro=_text(intro, field="intro", max_length=1000, required=False),
        opening_hours=_text(opening_hours, field="opening_hours", max_length=60, required=False),
    )
    # Before full_clean: it also checks the unique constraint, and would answer a duplicate
    # with Django's generic "constraint violated" text instead of this message.
    if Merchant.objects.filter(credit_code=merchant.credit_code).exclude(
            status=MerchantStatus.REJECTED).exists():
        raise ServiceError("merchant_exists", "该营业执照已入驻或正在审核", field="credit_code")
    _full_clean(merchant, exclude=["licence_photo", "cover", "applicant"])
    licence = clean_image(licence_photo, field="licence_photo")
    cover_file = clean_image(cover, field="cover") if cover else None
    try:
        with transaction.atomic():
            merchant.licence_photo.save(licence.name, licence, save=False)
            if cover_file:
                merchant.cover.save(cover_file.name, cover_file, save=False)
            merchant.save()
    except IntegrityError:
        raise ServiceError("merchant_exists", "该营业执照已入驻或正在审核",
                           field="credit_code") from None
    return merchant


def merchant_review(*, actor, merchant: Merchant, approve: bool, note: str = "") -> Merchant:
    """Approve (the applicant becomes the owner) or reject with a reason."""
    check_role(actor, OPERATOR)
    note = plain_text(note, max_length=200)
    if not approve and not note:
        raise ServiceError("reason_required", "不通过时请填写原因", field="note")
    with transaction.atomic():
        locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if locked.status != MerchantStatus.PENDING:
            raise ServiceError("already_reviewed", "该申请已审核过")
        locked.status = MerchantStatus.APPROVED if approve else MerchantStatus.REJECTED
        locked.review_note = note
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save()
        if approve:
            _add_staff(locked, locked.applicant, MerchantStaffRole.OWNER)
    invalidate_all()  # the directory and the merchant page are in the anonymous page cache
    return locked


def merchant_set_suspended(*, actor, merchant: Merchant, suspended: bool, note: str = "") -> Merchant:
    check_role(actor, OPERATOR)
    if merchant.status not in (MerchantStatus.APPROVED, MerchantStatus.SUSPENDED):
        raise ServiceError("invalid_state", "只有已入驻的商户可以暂停或恢复")
    merchant.status = MerchantStatus.SUSPENDED if suspended else MerchantStatus.APPROVED
    merchant.review_note = plain_text(note, max_length=200)
    merchant.save(update_fields=["status", "review_note"])
    invalidate_all()  # a suspended merchant leaves the cached directory and page at once
    return merchant


def _add_staff(merchant: Merchant, user, role: str) -> MerchantStaff:
    staff, _ = MerchantStaff.objects.get_or_create(merchant=merchant, user=user,
                                                   defaults={"role": role})
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE[MERCHANT].name))
    return staff


def merchant_staff_add(*, actor, merchant: Merchant, phone: str) -> MerchantStaff:
    """The owner adds a clerk (by phone; an account is created if needed)."""
    from rongmei.accounts.models import User
    from rongmei.accounts.validators import normalize_phone

    merchant = access_merchant(actor, merchant, owner=True)
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="phone") from None
    user = User.objects.filter(phone=phone).first() or User.objects.create_user(phone)
    return _add_staff(merchant, user, MerchantStaffRole.CLERK)


def post_submit(*, actor, merchant: Merchant, kind: str, title: str, body: str, image=None,
                starts_on=None, ends_on=None) -> MerchantPost:
    merchant = access_merchant(actor, merchant)
    if merchant.status != MerchantStatus.APPROVED:
        raise ServiceError("merchant_not_live", "商户入驻审核通过后才能发布动态")
    title = _text(title, field="title", max_length=40)
    if contains_markup(title):
        raise ServiceError("invalid_title", "标题不能包含特殊符号", field="title")
    post = MerchantPost(merchant=merchant, author=actor, kind=kind, title=title,
                        body=_text(body, field="body", max_length=2000),
                        starts_on=starts_on, ends_on=ends_on)
    _full_clean(post, exclude=["image", "author", "reviewed_by"])
    if image:
        cleaned = clean_image(image, field="image")
        post.image.save(cleaned.name, cleaned, save=False)
    post.save()
    return post


def post_review(*, actor, post: MerchantPost, approve: bool, note: str = "") -> MerchantPost:
    check_role(actor, OPERATOR)
    note = plain_text(note, max_length=200)
    if not approve and not note:
        raise ServiceError("reason_required", "不通过时请填写原因", field="note")
    updated = MerchantPost.objects.filter(pk=post.pk, status=PostStatus.PENDING).update(
        status=PostStatus.PUBLISHED if approve else PostStatus.REJECTED,
        review_note=note, reviewed_by=actor,
        published_at=timezone.now() if approve else None,
    )
    if not updated:
        raise ServiceError("already_reviewed", "该动态已审核过")
    post.refresh_from_db()
    invalidate_all()
    return post
