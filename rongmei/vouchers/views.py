"""The resident's voucher pages (list, campaign, grab, wallet, QR) and the merchant's
redemption page."""

from __future__ import annotations

import json
import math
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.pagecache import mark_cacheable
from rongmei.merchants.access import merchants_of, roles_of

from . import qr, selectors, services
from .models import VoucherStatus, yuan
from .money import AmountError, parse_yuan

DEVICE_COOKIE = "rm_device"
DEVICE_SALT = "rongmei.vouchers.device"


def _device(request) -> str:
    """The device id this server issued to the browser (a signed cookie), or "" when the
    browser has none or sent one we did not sign: an id the client makes up is never used
    to key a limit or recorded as a claim's device."""
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)[:64]


def _remember_device(request, response):
    if not _device(request):
        response.set_signed_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), salt=DEVICE_SALT,
                                   max_age=3 * 365 * 86400, samesite="Lax", httponly=True,
                                   secure=request.is_secure())
    return response


def campaign_list(request):
    campaigns = list(selectors.open_campaigns())
    now = timezone.now()
    rows = []
    for campaign in campaigns:
        round_obj = selectors.current_round(campaign, now)
        rows.append({"campaign": campaign, "round": round_obj,
                     "state": selectors.round_state(round_obj, now) if round_obj else "ended"})
    response = render(request, "vouchers/list.html", {"rows": rows, "active_tab": "mall"})
    return mark_cacheable(response, seconds=5)


def campaign_detail(request, pk: int):
    campaign = selectors.campaign_detail(pk=pk)
    if campaign is None:
        raise Http404
    now = timezone.now()
    rounds = [{"round": r, "state": selectors.round_state(r, now)} for r in campaign.rounds.all()]
    current = selectors.current_round(campaign, now)
    context = {
        "campaign": campaign, "rounds": rounds, "current": current,
        "current_state": selectors.round_state(current, now) if current else "ended",
        # Milliseconds, rounded up: the button must never open before the server does.
        "starts_ms": math.ceil(current.starts_at.timestamp() * 1000) if current else 0,
        "ends_ms": int(current.ends_at.timestamp() * 1000) if current else 0,
        "server_now": int(now.timestamp() * 1000), "active_tab": "mall",
        "entry": None,
    }
    if request.user.is_authenticated and campaign.distribution == "lottery":
        context["entry"] = campaign.entries.filter(user=request.user).first()
    response = render(request, "vouchers/campaign.html", context)
    if request.user.is_authenticated:
        return _remember_device(request, response)
    return mark_cacheable(response, seconds=5)


@require_POST
def grab(request, round_id: int):
    if not request.user.is_authenticated:
        return redirect("/login/?next=/vouchers/")
    try:
        voucher = services.voucher_grab(user=request.user, round_id=round_id,
                                        ip=client_ip(request), device=_device(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
        campaign_id = request.POST.get("campaign")
        target = f"/vouchers/c/{int(campaign_id)}/" if (campaign_id or "").isdecimal() else "/vouchers/"
        if exc.code == "realname_required":
            target = "/me/realname/"
        return redirect(target)
    messages.success(request, f"领取成功！{voucher.campaign.rule_text}，请在有效期内使用")
    return redirect("vouchers:voucher", code=voucher.code)


def _lottery(pk: int):
    campaign = selectors.campaign_detail(pk=pk)
    if campaign is None or campaign.distribution != "lottery":
        raise Http404
    return campaign


def lottery_record(request, pk: int):
    """The public record of a 报名摇号 draw, explained in plain words for residents."""
    campaign = _lottery(pk)
    response = render(request, "vouchers/lottery.html", {
        "record": selectors.lottery_public_record(campaign), "campaign": campaign,
        "active_tab": "mall"})
    return mark_cacheable(response, seconds=30)


def lottery_verify(request, pk: int):
    """For whoever wants to check: the formula, the published inputs and the script."""
    campaign = _lottery(pk)
    record = selectors.lottery_public_record(campaign)
    response = render(request, "vouchers/lottery_verify.html", {
        "record": record, "campaign": campaign, "active_tab": "mall",
        "inputs": json.dumps(selectors.lottery_verification_input(record), ensure_ascii=False,
                             indent=1)})
    return mark_cacheable(response, seconds=30)


def lottery_record_json(request, pk: int):
    """The published inputs (and, once drawn, the result) as the verification script reads
    them: ``python rongmei_draw.py record.json``."""
    campaign = _lottery(pk)
    data = selectors.lottery_verification_input(selectors.lottery_public_record(campaign))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="lottery-{campaign.pk}.json"'
    return mark_cacheable(response, seconds=30)


@login_required
@require_POST
def signup(request, pk: int):
    try:
        services.lottery_signup(user=request.user, campaign_id=pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "报名成功，请关注摇号结果")
    return redirect("vouchers:campaign", pk=pk)


@login_required
def wallet(request):
    tabs = [("issued", "未使用"), ("redeemed", "已使用"), ("expired", "已过期")]
    status = request.GET.get("status", "issued")
    if status not in dict(tabs):
        status = "issued"
    vouchers = selectors.wallet(user=request.user, status=status)[:100]
    return render(request, "vouchers/wallet.html", {
        "vouchers": vouchers, "status": status, "tabs": tabs, "active_tab": "me",
    })


@login_required
def voucher_page(request, code: str):
    voucher = selectors.holder_voucher(user=request.user, code=code)
    if voucher is None:
        raise Http404
    usable = voucher.status == VoucherStatus.ISSUED and voucher.valid_until > timezone.now()
    return render(request, "vouchers/voucher.html", {
        "voucher": voucher, "usable": usable, "qr": qr.qr_payload(voucher) if usable else None,
        "active_tab": "me",
    })


@login_required
def voucher_qr_json(request, code: str):
    voucher = selectors.holder_voucher(user=request.user, code=code)
    if voucher is None or voucher.status != VoucherStatus.ISSUED:
        return JsonResponse({"code": "not_found", "message": "该券不可用", "field": None},
                            status=404)
    response = JsonResponse(qr.qr_payload(voucher))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def redeem(request):
    """核销 at the till: scan the customer's QR (or type number + dynamic code), enter the bill."""
    merchants = list(merchants_of(request.user))
    if not merchants:
        return render(request, "vouchers/redeem_forbidden.html", status=403)
    context = {"merchants": merchants, "form": request.POST, "active_tab": "me"}
    if request.method == "POST":
        merchant_id = request.POST.get("merchant") or merchants[0].pk
        try:
            try:
                bill = parse_yuan(request.POST.get("bill_amount", ""))
            except AmountError as exc:
                raise ServiceError("invalid_amount", exc.message, field="bill_amount") from None
            voucher = services.voucher_redeem(
                actor=request.user, merchant_id=int(merchant_id), bill_amount=bill,
                token=request.POST.get("token", ""), code=request.POST.get("code", ""),
                dynamic=request.POST.get("dynamic", ""))
        except (ServiceError, ValueError) as exc:
            context["error"] = getattr(exc, "message", "请求无效")
            context["error_field"] = getattr(exc, "field", None)
            return render(request, "vouchers/redeem.html", context, status=400)
        return render(request, "vouchers/redeemed.html", {
            "voucher": voucher, "bill": yuan(voucher.bill_amount),
            "saved": yuan(voucher.discount),
            "pay": yuan(voucher.bill_amount - voucher.discount), "active_tab": "me",
        })
    return render(request, "vouchers/redeem.html", context)


@login_required
def redemption_records(request):
    """核销记录: who redeemed which voucher, for how much (owners see the whole shop)."""
    roles = roles_of(request.user)
    if not roles:
        return render(request, "vouchers/redeem_forbidden.html", status=403)
    page = Paginator(selectors.redemptions(roles=roles, user=request.user), 50).get_page(
        request.GET.get("page"))
    return render(request, "vouchers/redemptions.html", {
        "page": page, "owner_of_any": "owner" in roles.values(), "active_tab": "me"})


@login_required
def merchant_statements(request):
    from .models import SettlementStatement

    merchants = list(merchants_of(request.user))
    statements = (SettlementStatement.objects.filter(merchant__in=merchants)
                  .select_related("merchant")[:50])
    return render(request, "vouchers/statements.html", {"statements": statements,
                                                        "merchants": merchants,
                                                        "active_tab": "me"})
