"""The grab (抢券): the Redis gate in front, the database as the record of who won."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.errors import NotFoundError, ServiceError

from .. import codes, grab
from ..models import (
    CampaignStatus,
    Distribution,
    Voucher,
    VoucherCampaign,
    VoucherRound,
)
from .errors import VoucherError

# --- the grab --------------------------------------------------------------------------------

def _validity(campaign: VoucherCampaign, now: datetime) -> tuple[datetime, datetime]:
    if campaign.valid_days:
        return now, now + timedelta(days=campaign.valid_days)
    return campaign.valid_from, campaign.valid_until


# Rounds this process has seen sell out, and until when to believe it without asking:
# after a sell-out most presses are answered here, before any Redis or database call.
_SOLD_OUT_SECONDS = 3.0
_sold_out_until: dict[int, float] = {}


def _known_sold_out(round_id: int) -> bool:
    return _sold_out_until.get(round_id, 0.0) > time.monotonic()


def _remember_sold_out(round_id: int) -> None:
    _sold_out_until[round_id] = time.monotonic() + _SOLD_OUT_SECONDS


# A round's rules (times, campaign, limits) are read at every press; keep them per process
# for a moment instead of querying at every one of thousands of presses a second. Stock is
# never taken from here: the gate and the database decide that.
_ROUND_FACTS_SECONDS = 2.0
_round_facts: dict[int, tuple[float, VoucherRound | None]] = {}


def _round_with_campaign(round_id: int) -> VoucherRound | None:
    cached = _round_facts.get(round_id)
    clock = time.monotonic()
    if cached is not None and clock - cached[0] < _ROUND_FACTS_SECONDS:
        return cached[1]
    round_obj = VoucherRound.objects.select_related("campaign").filter(pk=round_id).first()
    if len(_round_facts) > 1000:
        _round_facts.clear()
    _round_facts[round_id] = (clock, round_obj)
    return round_obj


def refuse_if_known_sold_out(round_id: int) -> None:
    if _known_sold_out(round_id):
        raise ServiceError(VoucherError.SOLD_OUT, "手慢了，本场消费券已抢完", status=409)


def voucher_grab(*, user, round_id: int, ip: str | None = None, device: str = "",
                 now: datetime | None = None) -> Voucher:
    """抢券: take one voucher from an open round for ``user``.

    Server time decides whether the round is open. The Redis gate answers sold-out and
    over-limit without touching the database; a winner claims in one statement whose
    conditional update (remaining > 0) and unique (campaign, user, slot) make overselling
    and over-claiming impossible whatever Redis says.
    """
    now = now or timezone.now()
    refuse_if_known_sold_out(round_id)
    round_obj = _round_with_campaign(round_id)
    if round_obj is None or round_obj.campaign.status != CampaignStatus.PUBLISHED:
        raise NotFoundError("该场次不存在或已下线")
    campaign = round_obj.campaign
    if campaign.distribution != Distribution.GRAB:
        raise ServiceError("not_a_grab", "该活动为报名摇号，请在活动页报名")
    if now < round_obj.starts_at:
        raise ServiceError(VoucherError.NOT_OPEN, "还没到开抢时间，请稍后再来",
                           extra={"starts_at": round_obj.starts_at.isoformat()})
    if now >= round_obj.ends_at:
        raise ServiceError(VoucherError.ENDED, "本场已结束")
    if campaign.require_realname and not _has_realname(user):
        raise ServiceError(VoucherError.REALNAME_REQUIRED, "领取本券需先完成实名登记", status=403)
    check_audience(campaign, user)
    # Keyed only on what the server vouches for: the account, the address, and a device id
    # the server issued (views pass only a signed cookie's value, never a client header).
    # One Redis round trip for all three.
    checks = [("vgrab-user", str(user.pk), settings.VOUCHER_GRAB_PER_ACCOUNT_PER_MINUTE)]
    if ip:
        checks.append(("vgrab-ip", ip, settings.VOUCHER_GRAB_PER_IP_PER_MINUTE))
    if device:
        checks.append(("vgrab-dev", device, settings.VOUCHER_GRAB_PER_DEVICE_PER_MINUTE))
    ratelimit.hit_all(checks, window=60, message="操作过于频繁，请稍后再试")

    gate = grab.take(round_id=round_obj.pk, campaign_id=campaign.pk, user_id=user.pk,
                     limit=campaign.per_person_limit)
    if gate == grab.SOLD_OUT:
        _remember_sold_out(round_obj.pk)
        raise ServiceError(VoucherError.SOLD_OUT, "手慢了，本场消费券已抢完", status=409)
    if gate == grab.OVER_LIMIT:
        raise ServiceError(VoucherError.OVER_LIMIT,
                           f"每人限领{campaign.per_person_limit}张，您已领过", status=409)
    if gate == grab.UNPRIMED:
        grab.prime(round_obj)
    taken = gate is not None and gate > 0
    try:
        return _claim_in_database(user=user, round_obj=round_obj, campaign=campaign, now=now,
                                  ip=ip, device=device, slot=gate if taken else None)
    except ServiceError as exc:
        if taken:
            if exc.code == VoucherError.SOLD_OUT:
                grab.mark_sold_out(round_obj.pk)
            else:
                grab.give_back(round_id=round_obj.pk, campaign_id=campaign.pk, user_id=user.pk)
        if exc.code == VoucherError.SOLD_OUT:
            _remember_sold_out(round_obj.pk)
        raise
    except Exception:
        if taken:
            grab.give_back(round_id=round_obj.pk, campaign_id=campaign.pk, user_id=user.pk)
        raise


def check_audience(campaign, user) -> None:
    """志愿者礼遇券: only volunteers of the campaign's star level may take it (their level as
    志愿者之家 vouches for it; with that module off, nobody qualifies)."""
    if campaign.volunteer_min_stars is None:
        return
    from rongmei.core.standing import fact

    stars = fact("volunteer_stars", user)
    if stars is None:
        raise ServiceError(VoucherError.VOLUNTEERS_ONLY,
                           "本券为志愿者礼遇，注册志愿者后才能领取", status=403)
    if stars < campaign.volunteer_min_stars:
        raise ServiceError(VoucherError.VOLUNTEERS_ONLY,
                           f"本券限{campaign.volunteer_min_stars}星及以上志愿者领取，"
                           f"您目前是{stars}星志愿者", status=403)


def _has_realname(user) -> bool:
    from rongmei.accounts.models import RealNameRecord

    return RealNameRecord.objects.filter(user_id=user.pk).exists()


def _over_limit(campaign) -> ServiceError:
    return ServiceError(VoucherError.OVER_LIMIT,
                        f"每人限领{campaign.per_person_limit}张，您已领过", status=409)


def _claim_in_database(*, user, round_obj, campaign, now, ip, device,
                       slot: int | None = None) -> Voucher:
    """Take one from ``round_obj`` and record the voucher, atomically.

    ``slot`` is the person's claim number the Redis gate handed out; without it (no Redis,
    or a lottery) it is counted here. If the slot is taken after all (Redis lost track), the
    count is taken from the database once more before saying "over the limit".
    """
    valid_from, valid_until = _validity(campaign, now)
    for attempt in range(4):
        if slot is None or attempt:
            slot = Voucher.objects.filter(campaign=campaign, user=user).count() + 1
        if slot > campaign.per_person_limit:
            raise _over_limit(campaign)
        voucher = Voucher(campaign=campaign, round=round_obj, user=user, slot=slot,
                          code=codes.new_code(), secret=codes.new_secret(),
                          valid_from=valid_from, valid_until=valid_until, claimed_at=now,
                          claim_ip=ip, claim_device=(device or "")[:64])
        try:
            if connection.vendor == "postgresql":
                claimed = _claim_statement(voucher)
            else:
                claimed = _claim_transaction(voucher)
        except IntegrityError as exc:
            if "slot" in str(exc).lower() and attempt >= 1:
                raise _over_limit(campaign) from None
            continue  # a voucher-number collision, or a stale slot: try again
        if not claimed:
            raise ServiceError(VoucherError.SOLD_OUT, "手慢了，本场消费券已抢完", status=409)
        return voucher
    raise ServiceError("try_again", "领取失败，请重试", status=503)


def _claim_transaction(voucher: Voucher) -> bool:
    with transaction.atomic():
        taken = VoucherRound.objects.filter(pk=voucher.round_id, remaining__gt=0).update(
            remaining=F("remaining") - 1)
        if not taken:
            return False
        voucher.save(force_insert=True)
        return True


def _claim_statement(voucher: Voucher) -> bool:
    """PostgreSQL: the conditional decrement and the insert as one statement (one round
    trip, one commit), so the round's row lock is held for as short a time as possible."""
    fields = [f for f in Voucher._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    values = [f.get_db_prep_save(f.pre_save(voucher, True), connection) for f in fields]
    sql = (
        f"WITH taken AS (UPDATE {VoucherRound._meta.db_table} SET remaining = remaining - 1 "
        f"WHERE id = %s AND remaining > 0 RETURNING id) "
        f"INSERT INTO {Voucher._meta.db_table} ({columns}) "
        f"SELECT {placeholders} FROM taken RETURNING id"
    )
    # Alone, the statement commits by itself; inside a caller's transaction (the lottery
    # draw) a savepoint keeps a failed attempt from breaking that transaction.
    block = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with block, connection.cursor() as cursor:
        cursor.execute(sql, [voucher.round_id, *values])
        row = cursor.fetchone()
    if row is None:
        return False
    voucher.pk = row[0]
    voucher._state.adding = False
    return True



def reconcile_gates() -> int:
    """Rebuild every open round's Redis gate from the database (after a Redis restart)."""
    rounds = VoucherRound.objects.filter(ends_at__gt=timezone.now(),
                                         campaign__status=CampaignStatus.PUBLISHED)
    return sum(1 for round_obj in rounds if grab.prime(round_obj, force=True))
