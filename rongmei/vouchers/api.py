"""Vouchers API: campaigns, the grab, the wallet and its QR, lottery sign-up, redemption."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from rongmei.core.api import AUTH, ErrorOut, Id, JsonId, JsonInt, authenticate
from rongmei.core.errors import NotFoundError
from rongmei.core.http import client_ip

from . import qr, selectors, services
from .money import MAX_AMOUNT_FEN

router = Router(tags=["消费券"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


class RoundOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    stock: int
    remaining: int
    state: str


class VoucherCampaignOut(Schema):
    id: int
    title: str
    rule_text: str
    category: str
    category_label: str
    issuer: str
    face_value: int  # fen
    threshold: int  # fen
    per_person_limit: int
    require_realname: bool
    volunteer_min_stars: int | None = Field(
        None, description="志愿者礼遇券：null 所有居民可领；0 所有注册志愿者；1–5 该星级及以上")
    audience: str = Field("", description="领取范围说明，如“仅限2星及以上志愿者”；空为所有居民")
    distribution: str
    valid_days: int | None
    valid_from: datetime | None
    valid_until: datetime | None
    lottery_commitment: str
    lottery_public_source: str = ""
    lottery_public_draw_on: date | None = None
    rounds: list[RoundOut]


class VoucherOut(Schema):
    id: int
    code: str
    campaign_id: int
    campaign_title: str
    rule_text: str
    status: str
    valid_from: datetime
    valid_until: datetime
    redeemed_at: datetime | None
    merchant_name: str | None
    bill_amount: int | None = Field(None, description="消费金额（分），核销后才有")
    discount: int | None = Field(None, description="本券抵扣金额（分）= min(面额, 消费金额)")
    customer_pays: int | None = Field(None, description="顾客实付（分）= 消费金额 − 抵扣，不会为负")


class QrOut(Schema):
    token: str
    dynamic_code: str
    code: str
    refresh_in: int


class RedeemIn(Schema):
    merchant_id: JsonId
    bill_amount: JsonInt = Field(ge=0, le=MAX_AMOUNT_FEN, description="消费金额（分，最多100万元）")
    token: str = ""
    code: str = ""
    dynamic: str = ""


class ServerTimeOut(Schema):
    now: datetime


def _campaign(campaign, now) -> dict:
    return {
        "id": campaign.pk, "title": campaign.title, "rule_text": campaign.rule_text,
        "category": campaign.category, "category_label": campaign.get_category_display(),
        "issuer": campaign.issuer, "face_value": campaign.face_value,
        "threshold": campaign.threshold, "per_person_limit": campaign.per_person_limit,
        "require_realname": campaign.require_realname,
        "volunteer_min_stars": campaign.volunteer_min_stars, "audience": campaign.audience_text,
        "distribution": campaign.distribution,
        "valid_days": campaign.valid_days, "valid_from": campaign.valid_from,
        "valid_until": campaign.valid_until, "lottery_commitment": campaign.lottery_commitment,
        "lottery_public_source": campaign.lottery_public_source,
        "lottery_public_draw_on": campaign.lottery_public_draw_on,
        "rounds": [{"id": r.pk, "starts_at": r.starts_at, "ends_at": r.ends_at, "stock": r.stock,
                    "remaining": r.remaining, "state": selectors.round_state(r, now)}
                   for r in campaign.rounds.all()],
    }


def _voucher(voucher) -> dict:
    return {
        "id": voucher.pk, "code": voucher.code, "campaign_id": voucher.campaign_id,
        "campaign_title": voucher.campaign.title, "rule_text": voucher.campaign.rule_text,
        "status": voucher.status, "valid_from": voucher.valid_from,
        "valid_until": voucher.valid_until, "redeemed_at": voucher.redeemed_at,
        "merchant_name": voucher.merchant.name if voucher.merchant_id else None,
        "bill_amount": voucher.bill_amount, "discount": voucher.discount,
        "customer_pays": (voucher.bill_amount - voucher.discount
                          if voucher.discount is not None else None),
    }


@router.get("/time", response=ServerTimeOut, summary="服务器时间（开抢以服务器时间为准）")
def server_time(request):
    return {"now": timezone.now()}


@router.get("/campaigns", response=list[VoucherCampaignOut], summary="进行中的消费券活动")
def campaigns(request):
    now = timezone.now()
    return [_campaign(c, now) for c in selectors.open_campaigns()]


@router.get("/campaigns/{campaign_id}", response={200: VoucherCampaignOut, **ERRORS},
            summary="活动详情")
def campaign(request, campaign_id: Id):
    found = selectors.campaign_detail(pk=campaign_id)
    if found is None:
        raise NotFoundError("活动不存在或已结束")
    return _campaign(found, timezone.now())


@router.post("/rounds/{round_id}/grab", response={200: VoucherOut, **ERRORS},
             summary="抢券（需登录：Bearer 令牌或会话）",
             openapi_extra={"security": [{"BearerTokenAuth": []}, {"ResidentSessionAuth": []}]})
def grab(request, round_id: Id):
    # After a sell-out most of a crowd's presses are answered here, before the sign-in is
    # even looked up: "sold out" is public, and it is the answer whoever asks.
    services.refuse_if_known_sold_out(round_id)
    user = authenticate(request)
    # No device id from the client (a header it can change at will): the API is limited
    # per account and per address.
    voucher = services.voucher_grab(user=user, round_id=round_id, ip=client_ip(request))
    return _voucher(voucher)


@router.post("/campaigns/{campaign_id}/signup", response={200: dict, **ERRORS}, auth=AUTH,
             summary="报名摇号")
def signup(request, campaign_id: Id):
    entry = services.lottery_signup(user=request.auth, campaign_id=campaign_id)
    return {"number": entry.number}


@router.get("/wallet", response=list[VoucherOut], auth=AUTH, summary="我的券包")
def wallet(request, status: str | None = None):
    return [_voucher(v) for v in selectors.wallet(user=request.auth, status=status)[:200]]


@router.get("/wallet/{code}/qr", response={200: QrOut, **ERRORS}, auth=AUTH,
            summary="出示二维码（每分钟更新）")
def wallet_qr(request, code: str):
    voucher = selectors.holder_voucher(user=request.auth, code=code)
    if voucher is None or voucher.status != "issued":
        raise NotFoundError("该券不可用")
    payload = qr.qr_payload(voucher)
    payload.pop("svg")
    return payload


@router.post("/redeem", response={200: VoucherOut, **ERRORS}, auth=AUTH,
             summary="商户核销（扫码或券号+动态码），金额单位为分")
def redeem(request, payload: RedeemIn):
    voucher = services.voucher_redeem(actor=request.auth, merchant_id=payload.merchant_id,
                                      bill_amount=payload.bill_amount, token=payload.token,
                                      code=payload.code, dynamic=payload.dynamic)
    return _voucher(voucher)
