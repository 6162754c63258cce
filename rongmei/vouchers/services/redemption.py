"""核销 at the till, and expiry back to the pool."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import ServiceError
from rongmei.merchants.access import access_merchant
from rongmei.merchants.models import Merchant, MerchantStatus

from .. import codes, grab
from ..models import (
    Distribution,
    Voucher,
    VoucherCampaign,
    VoucherRound,
    VoucherStatus,
    yuan,
)
from ..money import MAX_AMOUNT_FEN
from ..money import discount as voucher_discount
from .errors import VoucherError

# --- redemption (核销) -------------------------------------------------------------------------

def _eligible(merchant: Merchant, campaign: VoucherCampaign) -> bool:
    from ..selectors import campaigns_redeemable_at

    return campaigns_redeemable_at(merchant=merchant).filter(pk=campaign.pk).exists()


def voucher_for_redemption(*, token: str = "", code: str = "", dynamic: str = "",
                           now: datetime | None = None) -> Voucher:
    """Find the voucher a customer shows: a scanned QR token, or number + dynamic code."""
    now_ts = (now or timezone.now()).timestamp()
    if token:
        parsed = codes.parse_token(token)
        if parsed is None:
            raise ServiceError(VoucherError.INVALID_QR, "二维码无效，请让顾客出示消费券二维码",
                               field="token")
        voucher_id, window, signature = parsed
        voucher = Voucher.objects.select_related("campaign").filter(pk=voucher_id).first()
        if voucher is None or not codes.token_is_authentic(voucher_id, voucher.secret, window,
                                                           signature):
            raise ServiceError(VoucherError.INVALID_QR, "二维码无效，请让顾客出示消费券二维码",
                               field="token")
        if not codes.window_is_fresh(window, now_ts):
            raise ServiceError(VoucherError.QR_EXPIRED, "二维码已过期，请让顾客刷新后重新出示",
                               field="token")
        return voucher
    # Six digits are guessable by brute force: a voucher number gets a few tries a minute.
    ratelimit.hit("voucher-dynamic", (code or "").strip().upper()[:12] or "-", limit=5,
                  window=60, message="尝试次数过多，请让顾客刷新二维码后再试")
    voucher = Voucher.objects.select_related("campaign").filter(
        code=(code or "").strip().upper()).first()
    if voucher is None or not codes.dynamic_code_matches(voucher.secret, dynamic, now_ts):
        raise ServiceError(VoucherError.INVALID_QR, "券号或动态码不正确，请核对", field="code")
    return voucher


def voucher_redeem(*, actor, merchant_id: int, bill_amount: int, token: str = "",
                   code: str = "", dynamic: str = "", now: datetime | None = None) -> Voucher:
    """核销: one conditional transition issued → redeemed, after every rule is checked.
    When the same voucher is scanned twice at once, exactly one succeeds."""
    now = now or timezone.now()
    merchant = access_merchant(actor, merchant_id)
    if merchant.status != MerchantStatus.APPROVED:
        raise ServiceError("merchant_not_live", "商户当前不能核销", status=403)
    if not isinstance(bill_amount, int) or bill_amount <= 0:
        raise ServiceError("invalid_amount", "请输入正确的消费金额", field="bill_amount")
    if bill_amount > MAX_AMOUNT_FEN:
        raise ServiceError("invalid_amount", f"消费金额不能超过{yuan(MAX_AMOUNT_FEN)}元",
                           field="bill_amount")
    voucher = voucher_for_redemption(token=token, code=code, dynamic=dynamic, now=now)
    campaign = voucher.campaign
    if voucher.status == VoucherStatus.REDEEMED:
        raise ServiceError(VoucherError.ALREADY_USED, "该券已使用，不能重复核销", status=409)
    if voucher.status == VoucherStatus.EXPIRED or now >= voucher.valid_until:
        raise ServiceError(VoucherError.EXPIRED, "该券已过期", status=409)
    if now < voucher.valid_from:
        raise ServiceError(VoucherError.NOT_YET_VALID, "该券尚未到使用时间", status=409)
    if not _eligible(merchant, campaign):
        raise ServiceError(VoucherError.WRONG_MERCHANT, "本店不在该券的适用商户范围内", status=403)
    if campaign.threshold and bill_amount < campaign.threshold:
        raise ServiceError(VoucherError.BELOW_THRESHOLD,
                           f"消费满{yuan(campaign.threshold)}元才能使用本券",
                           field="bill_amount")
    if campaign.refuse_below_face_value and bill_amount < campaign.face_value:
        raise ServiceError(VoucherError.BELOW_FACE_VALUE,
                           f"本券面额{yuan(campaign.face_value)}元，消费金额不能低于面额",
                           field="bill_amount")
    discount = voucher_discount(face_value=campaign.face_value, bill=bill_amount)
    with transaction.atomic():
        if campaign.per_merchant_daily_limit:
            Merchant.objects.select_for_update().get(pk=merchant.pk)  # serialise the count
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            used_today = Voucher.objects.filter(campaign=campaign, merchant=merchant,
                                                redeemed_at__gte=start).count()
            if used_today >= campaign.per_merchant_daily_limit:
                raise ServiceError(VoucherError.MERCHANT_LIMIT, "本店今日该券核销数量已达上限",
                                   status=409)
        changed = Voucher.objects.filter(
            pk=voucher.pk, status=VoucherStatus.ISSUED, valid_until__gt=now,
        ).update(status=VoucherStatus.REDEEMED, merchant=merchant, bill_amount=bill_amount,
                 discount=discount, redeemed_at=now, redeemed_by=actor)
        if changed != 1:
            raise ServiceError(VoucherError.ALREADY_USED, "该券已使用，不能重复核销", status=409)
    voucher.refresh_from_db()
    return voucher



# --- expiry and the pool ----------------------------------------------------------------------

def vouchers_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Expire unused vouchers past their date and, where the campaign says so, return them
    and rounds' unclaimed stock to the next open round. Running it twice changes nothing
    more: each voucher and each round is moved exactly once."""
    now = now or timezone.now()
    expired = returned = carried = 0
    for voucher in (Voucher.objects.filter(status=VoucherStatus.ISSUED, valid_until__lte=now)
                    .select_related("campaign").iterator()):
        with transaction.atomic():
            target = None
            if voucher.campaign.return_expired:
                target = _next_open_round(voucher.campaign_id, now)
            changed = Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ISSUED).update(
                status=VoucherStatus.EXPIRED, expired_at=now, returned_to=target)
            if changed and target is not None:
                VoucherRound.objects.filter(pk=target.pk).update(
                    stock=F("stock") + 1, remaining=F("remaining") + 1)
                returned += 1
            expired += changed
    for round_obj in VoucherRound.objects.filter(
            ends_at__lte=now, carried_over__isnull=True, campaign__return_expired=True,
            campaign__distribution=Distribution.GRAB).select_related("campaign"):
        with transaction.atomic():
            locked = VoucherRound.objects.select_for_update().get(pk=round_obj.pk)
            if locked.carried_over is not None:
                continue
            target = _next_open_round(locked.campaign_id, now)
            if target is None:
                continue
            amount = locked.remaining
            VoucherRound.objects.filter(pk=locked.pk).update(
                carried_over=amount, remaining=0, stock=F("stock") - amount)
            VoucherRound.objects.filter(pk=target.pk).update(
                stock=F("stock") + amount, remaining=F("remaining") + amount)
            carried += amount
    for round_obj in VoucherRound.objects.filter(ends_at__gt=now, campaign__status="published"):
        grab.prime(round_obj, force=True)
    return {"expired": expired, "returned": returned, "carried": carried}


def _next_open_round(campaign_id: int, now: datetime):
    return (VoucherRound.objects.filter(campaign_id=campaign_id, ends_at__gt=now)
            .order_by("starts_at").first())
