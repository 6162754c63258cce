"""Write paths for 企业之家: applications, review, staff (invitations, joining, removal),
posts."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import (
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    validation_error_from_django,
)
from rongmei.core.masking import mask_phone
from rongmei.core.pagecache import invalidate_all
from rongmei.core.public_text import blocked_fields, gate_texts
from rongmei.core.roles import MERCHANT, OPERATOR, ROLE_BY_CODE
from rongmei.core.text import check_name, contains_markup, typed_text, visible_length
from rongmei.core.uploads import clean_image
from rongmei.units.access import check_role

from .access import access_merchant
from .models import (
    InvitationStatus,
    Merchant,
    MerchantInvitation,
    MerchantPost,
    MerchantStaff,
    MerchantStaffEvent,
    MerchantStaffRole,
    MerchantStatus,
    PostStatus,
    StaffAction,
)


def _full_clean(instance, *, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise validation_error_from_django(exc, code="invalid_merchant") from None


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = typed_text(value, max_length=max_length + 1)
    if required and not visible_length(text):
        raise ServiceError("required", "此项不能为空", field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", f"最多{max_length}个字", field=field)
    return text


SHOP_PHONE_RE = re.compile(r"^(0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|400-?\d{3}-?\d{4})$")


def _shop_phone(value: str) -> str:
    """A number the shop publishes: a landline with its area code (0794-3621234), a mobile,
    or a 400 number; spaces dropped, full-width digits read."""
    text = unicodedata.normalize("NFKC", value or "").replace(" ", "").replace("－", "-")
    if not text:
        return ""
    if not SHOP_PHONE_RE.match(text):
        raise ServiceError("invalid_phone", "店铺电话格式不正确，如 0794-3621234 或 13800000000",
                           field="shop_phone")
    return text


def merchant_apply(*, applicant, name: str, category: str, credit_code: str, licence_photo,
                   address: str, contact_name: str, contact_phone: str, intro: str = "",
                   opening_hours: str = "", cover=None, shop_phone: str = "") -> Merchant:
    """A resident applies to list their business; an operator reviews it."""
    from rongmei.accounts.validators import normalize_phone

    if licence_photo is None:
        raise ServiceError("required", "请上传营业执照照片", field="licence_photo")
    try:
        phone = normalize_phone(contact_phone)
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="contact_phone") from None
    merchant = Merchant(
        applicant=applicant, name=_text(check_name(name, field="name", label="商户名称"),
                                        field="name", max_length=60),
        category=category, credit_code=(credit_code or "").strip().upper(),
        address=_text(address, field="address", max_length=120),
        contact_name=_text(contact_name, field="contact_name", max_length=20),
        contact_phone=phone, intro=_text(intro, field="intro", max_length=1000, required=False),
        opening_hours=_text(opening_hours, field="opening_hours", max_length=60, required=False),
        shop_phone=_shop_phone(shop_phone),
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
    note = typed_text(note, max_length=200)
    if not approve and not note:
        raise ServiceError("reason_required", "不通过时请填写原因", field="note")
    with transaction.atomic():
        locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if locked.status != MerchantStatus.PENDING:
            raise ServiceError("already_reviewed", "该申请已审核过")
        if approve:  # the merchant page goes public: its texts pass today's word list
            for field, message in blocked_fields(locked).items():
                raise ServiceError("wordgate_blocked", f"商户资料{message}，请驳回并说明原因",
                                   field=field)
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
    merchant.review_note = typed_text(note, max_length=200)
    merchant.save(update_fields=["status", "review_note"])
    invalidate_all()  # a suspended merchant leaves the cached directory and page at once
    return merchant


def _add_staff(merchant: Merchant, user, role: str) -> MerchantStaff:
    staff, _ = MerchantStaff.objects.get_or_create(merchant=merchant, user=user,
                                                   defaults={"role": role})
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE[MERCHANT].name))
    return staff


# --- staff: invitations, joining, removal ----------------------------------------------------

INVITE_SMS_TEMPLATE = "merchant_invite"
INVITE_SMS_TEXT = ("{merchant}邀请您成为店员。同意请登录融媒App在“我的店铺”中接受，"
                   "或在店员加入页输入邀请码{code}，{days}天内有效。不认识对方请忽略。")
INVITE_DAYS = 7
INVITE_MAX_ATTEMPTS = 5
INVITES_PER_MERCHANT_PER_DAY = 20
INVITE_INVALID = "手机号或邀请码不正确，或邀请已失效"


def _invite_hash(merchant_id: int, phone: str, code: str) -> str:
    key = ("merchant-invite:" + settings.SECRET_KEY).encode()
    return hmac.new(key, f"{merchant_id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _staff_event(merchant, action: str, *, phone: str, actor) -> None:
    MerchantStaffEvent.objects.create(merchant=merchant, action=action,
                                      phone=mask_phone(phone or "")[:11], actor=actor)


def _clean_phone(raw: str) -> str:
    from rongmei.accounts.validators import normalize_phone

    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise ServiceError("invalid_phone", exc.messages[0], field="phone") from None


def staff_invite(*, actor, merchant, phone: str) -> MerchantInvitation:
    """The owner invites a phone number to become a clerk; the number gets an SMS with a code.

    No account is created and nobody becomes staff until the holder of that number accepts
    (``invitation_answer`` in the app, or ``invitation_accept_by_code``). Inviting the same
    number again replaces the earlier invitation and its code."""
    from rongmei.accounts.services import sms_send
    from rongmei.accounts.sms import SmsSendError

    merchant = access_merchant(actor, merchant, owner=True)
    phone = _clean_phone(phone)
    if MerchantStaff.objects.filter(merchant=merchant, user__phone=phone).exists():
        raise ServiceError("already_staff", "该手机号已经是本店人员", field="phone")
    ratelimit.hit("merchant-invite", str(merchant.pk), limit=INVITES_PER_MERCHANT_PER_DAY,
                  window=86400, message="今天发出的店员邀请过多，请明天再试")
    ratelimit.hit("merchant-invite-phone", phone, limit=3, window=86400,
                  message="今天已向该号码发出过多次邀请，请明天再试", code="invite_daily_limit")
    now = timezone.now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        MerchantInvitation.objects.filter(merchant=merchant, phone=phone,
                                          status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED, answered_at=now)
        invitation = MerchantInvitation.objects.create(
            merchant=merchant, phone=phone, code_hash=_invite_hash(merchant.pk, phone, code),
            invited_by=actor, created_at=now, expires_at=now + timedelta(days=INVITE_DAYS))
        _staff_event(merchant, StaffAction.INVITED, phone=phone, actor=actor)
    try:
        sms_send(phone=phone, template=INVITE_SMS_TEMPLATE,
                 params={"merchant": merchant.name[:20], "code": code, "days": INVITE_DAYS})
    except SmsSendError:
        MerchantInvitation.objects.filter(pk=invitation.pk).update(
            status=InvitationStatus.REVOKED, answered_at=timezone.now())
        raise ServiceError("sms_failed", "邀请短信发送失败，请稍后重试", status=503) from None
    return invitation


def _join(invitation: MerchantInvitation, user, *, now) -> MerchantStaff:
    """Turn a pending invitation into a clerk, once (a conditional update decides)."""
    with transaction.atomic():
        taken = MerchantInvitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__gt=now,
        ).update(status=InvitationStatus.ACCEPTED, user=user, answered_at=now)
        if not taken:
            raise ServiceError("invitation_invalid", INVITE_INVALID, status=409)
        staff = _add_staff(invitation.merchant, user, MerchantStaffRole.CLERK)
        _staff_event(invitation.merchant, StaffAction.JOINED, phone=invitation.phone, actor=user)
    return staff


def invitation_answer(*, user, invitation_id: int, accept: bool,
                      now: datetime | None = None) -> MerchantInvitation:
    """In the app: the person signed in with the invited number accepts or declines."""
    now = now or timezone.now()
    invitation = (MerchantInvitation.objects.select_related("merchant")
                  .filter(pk=invitation_id, phone=user.phone or "-",
                          status=InvitationStatus.PENDING, expires_at__gt=now,
                          merchant__status=MerchantStatus.APPROVED).first()
                  if user.is_authenticated else None)
    if invitation is None:
        raise NotFoundError("邀请不存在或已失效")
    if accept:
        _join(invitation, user, now=now)
    else:
        with transaction.atomic():
            declined = MerchantInvitation.objects.filter(
                pk=invitation.pk, status=InvitationStatus.PENDING).update(
                status=InvitationStatus.DECLINED, user=user, answered_at=now)
            if declined:
                _staff_event(invitation.merchant, StaffAction.DECLINED, phone=invitation.phone,
                             actor=user)
    invitation.refresh_from_db()
    return invitation


def invitation_accept_by_code(*, phone: str, code: str, ip: str | None,
                              now: datetime | None = None) -> MerchantStaff:
    """By SMS code: whoever holds the invited number types it with the code and accepts.

    Typing the code proves they hold the number and is their consent: only now is an account
    made for a number that had none. Each invitation allows INVITE_MAX_ATTEMPTS wrong codes;
    wrong numbers and wrong codes get the same answer."""
    from rongmei.accounts.services import account_for_verified_phone

    now = now or timezone.now()
    phone = _clean_phone(phone)
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdecimal()):
        raise ServiceError("invalid_code", "请输入短信中的6位邀请码", field="code")
    ratelimit.hit("merchant-join-ip", ip or "-", limit=30, window=3600,
                  message="尝试次数过多，请稍后再试")
    candidates = list(MerchantInvitation.objects.select_related("merchant").filter(
        phone=phone, status=InvitationStatus.PENDING, expires_at__gt=now,
        attempts__lt=INVITE_MAX_ATTEMPTS, merchant__status=MerchantStatus.APPROVED))
    match = None
    for invitation in candidates:
        # Take an attempt before comparing, conditionally: parallel guesses cannot share
        # one low count and get more than INVITE_MAX_ATTEMPTS tries between them.
        if not MerchantInvitation.objects.filter(
                pk=invitation.pk, attempts__lt=INVITE_MAX_ATTEMPTS).update(
                attempts=F("attempts") + 1):
            continue
        if hmac.compare_digest(invitation.code_hash,
                               _invite_hash(invitation.merchant_id, phone, code)):
            match = invitation
            break
    if match is None:
        raise ServiceError("invitation_invalid", INVITE_INVALID, field="code")
    return _join(match, account_for_verified_phone(phone=phone), now=now)


def invitation_revoke(*, actor, invitation_id: int) -> MerchantInvitation:
    """The owner withdraws an invitation nobody has answered yet."""
    invitation = MerchantInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFoundError("邀请不存在")
    access_merchant(actor, invitation.merchant_id, owner=True)
    with transaction.atomic():
        revoked = MerchantInvitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED, answered_at=timezone.now())
        if not revoked:
            raise ServiceError("invitation_answered", "该邀请已处理，不能撤回", status=409)
        _staff_event(invitation.merchant, StaffAction.REVOKED, phone=invitation.phone,
                     actor=actor)
    invitation.refresh_from_db()
    return invitation


def staff_remove(*, actor, merchant, staff_id: int) -> None:
    """The owner removes a clerk, or a clerk leaves. It takes effect at once: every redeem
    and verify path asks ``access.access_merchant``, which reads the staff table each time.
    Someone who no longer works for any shop also loses the merchant role."""
    merchant_id = merchant.pk if isinstance(merchant, Merchant) else merchant
    staff = (MerchantStaff.objects.select_related("user", "merchant")
             .filter(pk=staff_id, merchant_id=merchant_id).first())
    leaving = staff is not None and staff.user_id == getattr(actor, "pk", None)
    if leaving:
        if not actor.is_authenticated:
            raise PermissionDeniedError()
    else:
        access_merchant(actor, merchant_id, owner=True)
    if staff is None:
        raise NotFoundError("该人员不在本店")
    if staff.role == MerchantStaffRole.OWNER:
        raise ServiceError("owner_cannot_leave", "店主不能被移除；如需转让店铺请联系融媒体中心",
                           status=409)
    user = staff.user
    with transaction.atomic():
        if not MerchantStaff.objects.filter(pk=staff.pk).delete()[0]:
            raise NotFoundError("该人员不在本店")
        if not MerchantStaff.objects.filter(user=user).exists():
            user.groups.remove(Group.objects.get(name=ROLE_BY_CODE[MERCHANT].name))
        _staff_event(staff.merchant, StaffAction.LEFT if leaving else StaffAction.REMOVED,
                     phone=user.phone or "", actor=actor)


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
    gate_texts(title=post.title, body=post.body)
    if image:
        cleaned = clean_image(image, field="image")
        post.image.save(cleaned.name, cleaned, save=False)
    post.save()
    return post


def post_review(*, actor, post: MerchantPost, approve: bool, note: str = "") -> MerchantPost:
    check_role(actor, OPERATOR)
    note = typed_text(note, max_length=200)
    if not approve and not note:
        raise ServiceError("reason_required", "不通过时请填写原因", field="note")
    if approve:  # words added to the dictionary since it was submitted count too
        gate_texts(title=post.title, body=post.body)
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
