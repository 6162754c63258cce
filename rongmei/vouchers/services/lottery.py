"""报名摇号: commitment, sign-up and a draw anyone can reproduce."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core.access import check_role
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.pagecache import invalidate_all
from rongmei.core.roles import OPERATOR

from ..models import (
    CampaignStatus,
    Distribution,
    LotteryEntry,
    VoucherCampaign,
)
from .claims import _claim_in_database, _has_realname
from .errors import VoucherError

# --- lottery (报名摇号) ------------------------------------------------------------------------

def lottery_commit(*, actor, campaign: VoucherCampaign, seed: str) -> VoucherCampaign:
    """Publish sha256(seed) before sign-up closes; the seed itself stays secret until the draw."""
    check_role(actor, OPERATOR)
    if not 16 <= len(seed) <= 64:
        raise ServiceError("invalid_seed", "种子须为16到64个字符", field="seed")
    if campaign.lottery_commitment:
        raise ServiceError("already_committed", "种子承诺已公布，不能更改")
    campaign.lottery_commitment = hashlib.sha256(seed.encode()).hexdigest()
    campaign.save(update_fields=["lottery_commitment"])
    invalidate_all()
    return campaign


def lottery_signup(*, user, campaign_id: int, now: datetime | None = None) -> LotteryEntry:
    now = now or timezone.now()
    campaign = VoucherCampaign.objects.filter(pk=campaign_id,
                                              status=CampaignStatus.PUBLISHED).first()
    if campaign is None or campaign.distribution != Distribution.LOTTERY:
        raise NotFoundError("该摇号活动不存在")
    if campaign.lottery_drawn_at or (campaign.lottery_signup_until
                                     and now >= campaign.lottery_signup_until):
        raise ServiceError("signup_closed", "报名已截止")
    if campaign.require_realname and not _has_realname(user):
        raise ServiceError(VoucherError.REALNAME_REQUIRED, "报名需先完成实名登记", status=403)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (LotteryEntry.objects.filter(campaign=campaign)
                          .order_by("-number").values_list("number", flat=True).first() or 0) + 1
                return LotteryEntry.objects.create(campaign=campaign, user=user, number=number)
        except IntegrityError:
            if LotteryEntry.objects.filter(campaign=campaign, user=user).exists():
                raise ServiceError("already_signed_up", "您已报名，请等待摇号结果") from None
    raise ServiceError("try_again", "报名人数较多，请重试", status=503)


def lottery_order(seed: str, numbers: list[int]) -> list[int]:
    """The public draw: sort entry numbers by HMAC-SHA256(seed, number). Anyone with the
    revealed seed and the published entry numbers can recompute it."""
    return sorted(numbers, key=lambda n: hmac.new(seed.encode(), str(n).encode(),
                                                  hashlib.sha256).hexdigest())


def lottery_draw(*, actor, campaign: VoucherCampaign, seed: str,
                 now: datetime | None = None) -> list[LotteryEntry]:
    """Reveal the seed, pick winners (as many as the rounds' stock), issue their vouchers."""
    check_role(actor, OPERATOR)
    now = now or timezone.now()
    if campaign.lottery_drawn_at:
        raise ServiceError("already_drawn", "已经开奖")
    if campaign.lottery_signup_until and now < campaign.lottery_signup_until:
        raise ServiceError("signup_open", "报名尚未截止，不能开奖")
    if hashlib.sha256(seed.encode()).hexdigest() != campaign.lottery_commitment:
        raise ServiceError("seed_mismatch", "种子与事先公布的承诺不一致", field="seed")
    round_obj = campaign.rounds.order_by("starts_at").first()
    if round_obj is None:
        raise ServiceError("no_rounds", "该活动没有发放场次")
    with transaction.atomic():
        locked = VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.lottery_drawn_at:
            raise ServiceError("already_drawn", "已经开奖")
        entries = {e.number: e for e in LotteryEntry.objects.filter(campaign=campaign)}
        winners_numbers = lottery_order(seed, list(entries))[:round_obj.remaining]
        winners = []
        for number in winners_numbers:
            entry = entries[number]
            _claim_in_database(user=entry.user, round_obj=round_obj, campaign=campaign,
                               now=now, ip=None, device="")
            entry.won = True
            winners.append(entry)
        LotteryEntry.objects.bulk_update(winners, ["won"])
        locked.lottery_seed = seed
        locked.lottery_drawn_at = now
        locked.save(update_fields=["lottery_seed", "lottery_drawn_at"])
    invalidate_all()  # the public record must show the result now
    return winners
