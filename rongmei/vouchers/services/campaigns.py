"""Campaigns and their rounds."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError, validation_error_from_django
from rongmei.core.pagecache import invalidate_all
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

from .. import grab
from ..models import (
    CampaignStatus,
    Distribution,
    VoucherCampaign,
    VoucherRound,
)

# --- campaigns ------------------------------------------------------------------------------

def campaign_publish(*, actor, campaign: VoucherCampaign) -> VoucherCampaign:
    check_role(actor, OPERATOR)
    if campaign.status == CampaignStatus.ENDED:
        raise ServiceError("campaign_ended", "活动已结束，不能再发布")
    if not campaign.rounds.exists():
        raise ServiceError("no_rounds", "请先添加至少一个发放场次")
    if campaign.distribution == Distribution.LOTTERY and not campaign.lottery_commitment:
        raise ServiceError("no_commitment", "摇号活动须先生成并公布种子承诺")
    campaign.status = CampaignStatus.PUBLISHED
    campaign.save(update_fields=["status"])
    invalidate_all()
    for round_obj in campaign.rounds.all():
        grab.prime(round_obj, force=True)
    return campaign


def round_add(*, campaign: VoucherCampaign, starts_at: datetime, ends_at: datetime,
              stock: int) -> VoucherRound:
    round_obj = VoucherRound(campaign=campaign, starts_at=starts_at, ends_at=ends_at,
                             stock=stock, remaining=stock)
    try:
        round_obj.full_clean()
    except ValidationError as exc:
        raise validation_error_from_django(exc, code="invalid_round") from None
    round_obj.save()
    return round_obj


# Round schedules: a series of rounds at one time of day (e.g. 10:00 daily for 5 days).

LOTTERY_ONE_ROUND = "报名摇号活动只设一个场次，该场次的发放数量就是中签名额"


def rounds_closed(campaign: VoucherCampaign) -> ServiceError | None:
    """Why no round can be added to ``campaign`` any more, or None if rounds can be added."""
    if campaign.status == CampaignStatus.ENDED:
        return ServiceError("campaign_ended", "活动已结束，不能再添加场次")
    if campaign.distribution == Distribution.LOTTERY:
        # lottery_draw issues the first round's stock to the winners: one round is the quota.
        if campaign.lottery_drawn_at:
            return ServiceError("already_drawn", "已经开奖，不能再添加场次")
        if campaign.rounds.exists():
            return ServiceError("lottery_one_round", LOTTERY_ONE_ROUND)
    return None


def rounds_add_daily(*, actor, campaign: VoucherCampaign, first_start: datetime, minutes: int,
                     days: int, stock: int) -> list[VoucherRound]:
    """Add ``days`` rounds of ``stock`` vouchers, each ``minutes`` long, one a day from
    ``first_start``. All or none: a clash with an existing round adds nothing."""
    check_role(actor, OPERATOR)
    if (closed := rounds_closed(campaign)) is not None:
        raise closed
    if campaign.distribution == Distribution.LOTTERY and days > 1:
        raise ServiceError("lottery_one_round", LOTTERY_ONE_ROUND, field="days")
    windows = [(first_start + timedelta(days=i), first_start + timedelta(days=i, minutes=minutes))
               for i in range(days)]
    if campaign.valid_until and not campaign.valid_days and windows[-1][0] >= campaign.valid_until:
        raise ServiceError("round_after_validity",
                           "场次时间晚于券的有效期结束时间，领到的券将无法使用",
                           field="first_start")
    for starts_at, ends_at in windows:
        clash = campaign.rounds.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
        if clash is not None:
            when = timezone.localtime(clash.starts_at)
            raise ServiceError("round_overlap", f"与已有场次（{when:%Y-%m-%d %H:%M}）时间重叠",
                               field="first_start")
    with transaction.atomic():
        rounds = [round_add(campaign=campaign, starts_at=starts_at, ends_at=ends_at,
                                     stock=stock)
                  for starts_at, ends_at in windows]
    if campaign.status == CampaignStatus.PUBLISHED:
        # Published rounds are grabbed through the Redis gate: prime it for the new ones.
        transaction.on_commit(lambda: [grab.prime(round_obj) for round_obj in rounds])
    return rounds
