"""Write paths for vouchers: campaigns, the grab, lottery, redemption, expiry, settlement."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from rongmei.core import ratelimit
from rongmei.core.access import access_merchant, check_role
from rongmei.core.errors import NotFoundError, ServiceError, validation_error_from_django
from rongmei.core.pagecache import invalidate_all
from rongmei.core.roles import OPERATOR
from rongmei.merchants.models import Merchant, MerchantStatus

from . import codes, grab
from .models import (
    CampaignStatus, Distribution, LotteryEntry, SettlementStatement, Voucher, VoucherCampaign,
    VoucherRound, VoucherStatus, yuan,
)

logger = logging.getLogger("rongmei.vouchers")



class VoucherError:
    """Stable error codes of this app (clients switch on these)."""

    NOT_OPEN = "round_not_open"
    ENDED = "round_ended"
    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"
    REALNAME_REQUIRED = "realname_required"
    INVALID_QR = "invalid_qr"
    QR_EXPIRED = "qr_expired"
    ALREADY_USED = "already_redeemed"
    EXPIRED = "voucher_expired"
    NOT_YET_VALID = "voucher_not_yet_valid"
    WRONG_MERCHANT = "merchant_not_eligible"
    BELOW_THRESHOLD = "below_threshold"
    MERCHANT_LIMIT = "merchant_daily_limit"


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
    if ip:
        ratelimit.hit("vgrab-ip", ip, limit=settings.VOUCHER_GRAB_PER_IP_PER_MINUTE, window=60,
                      message="操作过于频繁，请稍后再试")
    if device:
        ratelimit.hit("vgrab-dev", device, limit=settings.VOUCHER_GRAB_PER_DEVICE_PER_MINUTE,
                      window=60, message="操作过于频繁，请稍后再试")

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
    if campaign.lottery_signup_until and now >= campaign.lottery_signup_until:
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


# --- redemption (核销) -------------------------------------------------------------------------

def _eligible(merchant: Merchant, campaign: VoucherCampaign) -> bool:
    from .selectors import campaigns_redeemable_at

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
                 redeemed_at=now, redeemed_by=actor)
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


# --- settlement -------------------------------------------------------------------------------

def statement_generate(*, actor, merchant: Merchant, period_start: date,
                       period_end: date) -> SettlementStatement:
    """Put every not-yet-settled redemption of the period into one statement."""
    check_role(actor, OPERATOR)
    if period_end < period_start:
        raise ServiceError("invalid_period", "结算结束日不能早于开始日", field="period_end")
    tz = timezone.get_current_timezone()
    start = datetime.combine(period_start, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(period_end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    with transaction.atomic():
        vouchers = Voucher.objects.select_for_update().filter(
            merchant=merchant, status=VoucherStatus.REDEEMED, statement__isnull=True,
            redeemed_at__gte=start, redeemed_at__lt=end)
        ids = list(vouchers.values_list("pk", flat=True))
        if not ids:
            raise ServiceError("nothing_to_settle", "该时段没有待结算的核销记录")
        totals = Voucher.objects.filter(pk__in=ids).aggregate(
            subsidy=Sum("campaign__face_value"), bills=Sum("bill_amount"), n=Count("pk"))
        try:
            statement = SettlementStatement.objects.create(
                merchant=merchant, period_start=period_start, period_end=period_end,
                voucher_count=totals["n"], subsidy_total=totals["subsidy"] or 0,
                bill_total=totals["bills"] or 0, created_by=actor)
        except IntegrityError:
            raise ServiceError("statement_exists", "该商户该时段的结算单已生成") from None
        Voucher.objects.filter(pk__in=ids).update(statement=statement)
    return statement


def statements_generate_all(*, actor, period_start: date, period_end: date) -> list:
    merchants = Merchant.objects.filter(
        redeemed_vouchers__statement__isnull=True, redeemed_vouchers__status="redeemed",
    ).distinct()
    made = []
    for merchant in merchants:
        try:
            made.append(statement_generate(actor=actor, merchant=merchant,
                                           period_start=period_start, period_end=period_end))
        except ServiceError as exc:
            if exc.code not in ("nothing_to_settle", "statement_exists"):
                raise
    return made


def reconcile_gates() -> int:
    """Rebuild every open round's Redis gate from the database (after a Redis restart)."""
    rounds = VoucherRound.objects.filter(ends_at__gt=timezone.now(),
                                         campaign__status=CampaignStatus.PUBLISHED)
    return sum(1 for round_obj in rounds if grab.prime(round_obj, force=True))

