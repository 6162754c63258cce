"""Who may act for a merchant: its owner and clerks, while the shop is approved."""

from __future__ import annotations

from rongmei.core.errors import NotFoundError, PermissionDeniedError

from .models import Merchant, MerchantStaff, MerchantStaffRole, MerchantStatus


def merchants_of(user):
    """The approved merchants ``user`` works for (owner or clerk)."""
    if not user.is_authenticated:
        return Merchant.objects.none()
    return Merchant.objects.filter(staff__user=user, status=MerchantStatus.APPROVED)


def roles_of(user) -> dict[int, str]:
    """{merchant id: "owner" | "clerk"} for the approved merchants ``user`` works for."""
    if not user.is_authenticated:
        return {}
    return dict(MerchantStaff.objects.filter(user_id=user.pk,
                                             merchant__status=MerchantStatus.APPROVED)
                .values_list("merchant_id", "role"))


def access_merchant(user, merchant_or_id, *, owner: bool = False):
    """Return the merchant if ``user`` is its staff (its owner, with ``owner=True``) and the
    merchant is approved: a pending, rejected or suspended shop acts on nothing."""
    merchant_id = merchant_or_id.pk if isinstance(merchant_or_id, Merchant) else merchant_or_id
    staff = (MerchantStaff.objects.select_related("merchant")
             .filter(user_id=user.pk, merchant_id=merchant_id).first()) if user.is_authenticated else None
    if staff is None:
        if not Merchant.objects.filter(pk=merchant_id).exists():
            raise NotFoundError("商户不存在")
        raise PermissionDeniedError("您不是该商户的工作人员")
    if owner and staff.role != MerchantStaffRole.OWNER:
        raise PermissionDeniedError("只有店主可以执行此操作")
    if staff.merchant.status != MerchantStatus.APPROVED:
        raise PermissionDeniedError("商户已暂停或尚未通过审核，暂时不能进行此操作",
                                    code="merchant_not_live")
    return staff.merchant


def works_for_a_merchant(user) -> bool:
    """Whether ``user`` is staff of an approved merchant (cached on the user for the request:
    several modules' 我的 cells ask)."""
    cached = getattr(user, "_rongmei_merchant_staff", None)
    if cached is None:
        cached = user._rongmei_merchant_staff = merchants_of(user).exists()
    return cached
