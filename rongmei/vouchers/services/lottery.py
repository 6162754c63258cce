"""报名摇号: commitment, sign-up with random numbers, sealing the list, and a draw nobody can
predict and anyone can reproduce (the rule is ``rongmei.core.draw``).

Timeline, and why no one can steer it:

1. Before sign-up opens the operator commits: ``sha256(seed)`` is published together with
   the name of a future public draw (the source of the public value).
2. Residents sign up and get a random entry number (not the order of signing up).
3. When sign-up closes the list is sealed (``lottery_close``, also run by the
   ``vouchers_lottery_close`` timer): accounts closed or disabled by then are left out, the
   quota is fixed and the SHA-256 of the entry numbers is published.
4. After the public draw's day (its date, named at the commit, must fall after sign-up
   closes) one staff member enters its number; a second one — neither the one who
   committed the seed nor the one who entered the number — types the number again and the
   seed (四眼原则); ``draw_order(seed, sealed list, public value)`` decides. Knowing the seed early
   helps nobody: the public value does not exist yet when the list is sealed. Nothing done
   after the seal changes who wins (a winner whose account closed since forfeits; nobody
   moves up).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rongmei.core import draw
from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.pagecache import invalidate_all
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

from ..models import (
    CampaignStatus,
    Distribution,
    LotteryEntry,
    VoucherCampaign,
)
from .claims import _claim_in_database, _has_realname, check_audience
from .errors import VoucherError

ENTRY_NUMBER_MIN = 10_000_000  # eight digits, drawn at random
ENTRY_NUMBER_SPAN = 90_000_000
# A sign-up that passed the deadline check a moment before the deadline may still be
# committing; the list is sealed only once no such sign-up can be in flight.
SEAL_GRACE = timedelta(minutes=1)


def _closed_account() -> Q:
    """Entries whose account can no longer take part: disabled, or deleted (注销)."""
    return Q(user__is_active=False) | Q(user__deleted_at__isnull=False)


def earliest_public_draw(signup_until: datetime) -> date:
    """The first day a public draw may happen: the day after the list can be sealed."""
    return timezone.localtime(signup_until + SEAL_GRACE).date() + timedelta(days=1)


def _parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def lottery_commit(*, actor, campaign: VoucherCampaign, seed: str, public_source: str,
                   public_draw_on=None, now: datetime | None = None) -> VoucherCampaign:
    """Publish sha256(seed) and the public draw that will supply the public value — its
    name and its date, which must be after sign-up closes (a draw already held, or held
    while people can still sign up, would let whoever knows the seed pick the entries that
    win) — before sign-up opens; the seed itself stays secret until the draw."""
    check_role(actor, OPERATOR)
    now = now or timezone.now()
    if not 16 <= len(seed) <= 64:
        raise ServiceError("invalid_seed", "种子须为16到64个字符", field="seed")
    public_source = (public_source or "").strip()
    if not public_source:
        raise ServiceError("public_source_required",
                           "请写明开奖时使用的公开随机数来源（报名截止后才开奖的福彩/体彩期号）",
                           field="public_source")
    if len(public_source) > 120:
        raise ServiceError("too_long", "最多120个字", field="public_source")
    draw_on = _parse_date(public_draw_on)
    if draw_on is None:
        raise ServiceError("public_draw_on_required", "请填写这一期公开号码的开奖日期",
                           field="public_draw_on")
    with transaction.atomic():
        locked = VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.lottery_commitment:
            raise ServiceError("already_committed", "种子承诺已公布，不能更改")
        if locked.entries.exists():
            raise ServiceError("signup_started", "已有人报名，不能再公布种子承诺")
        if not locked.lottery_signup_until:
            raise ServiceError("signup_until_required", "请先设置报名截止时间",
                               field="public_draw_on")
        earliest = max(earliest_public_draw(locked.lottery_signup_until),
                       timezone.localtime(now).date() + timedelta(days=1))
        if draw_on < earliest:
            raise ServiceError(
                "public_draw_too_early",
                f"公开号码须在报名截止之后才开奖：开奖日期最早为{earliest:%Y年%-m月%-d日}"
                f"（报名截止 {timezone.localtime(locked.lottery_signup_until):%Y-%m-%d %H:%M}）",
                field="public_draw_on")
        locked.lottery_commitment = draw.commitment(seed)
        locked.lottery_public_source = public_source
        locked.lottery_public_draw_on = draw_on
        locked.lottery_committed_by = actor
        locked.save(update_fields=["lottery_commitment", "lottery_public_source",
                                   "lottery_public_draw_on", "lottery_committed_by"])
    invalidate_all()
    return locked


def lottery_signup(*, user, campaign_id: int, now: datetime | None = None) -> LotteryEntry:
    """Sign up once; the entry number is random, so timing a sign-up aims at nothing."""
    now = now or timezone.now()
    campaign = VoucherCampaign.objects.filter(pk=campaign_id,
                                              status=CampaignStatus.PUBLISHED).first()
    if campaign is None or campaign.distribution != Distribution.LOTTERY:
        raise NotFoundError("该摇号活动不存在")
    if (campaign.lottery_drawn_at or campaign.lottery_closed_at
            or (campaign.lottery_signup_until and now >= campaign.lottery_signup_until)):
        raise ServiceError("signup_closed", "报名已截止")
    if campaign.require_realname and not _has_realname(user):
        raise ServiceError(VoucherError.REALNAME_REQUIRED, "报名需先完成实名登记", status=403)
    check_audience(campaign, user)
    for _attempt in range(8):
        number = ENTRY_NUMBER_MIN + secrets.randbelow(ENTRY_NUMBER_SPAN)
        try:
            with transaction.atomic():
                return LotteryEntry.objects.create(campaign=campaign, user=user, number=number,
                                                   created_at=now)
        except IntegrityError:
            if LotteryEntry.objects.filter(campaign=campaign, user=user).exists():
                raise ServiceError("already_signed_up", "您已报名，请等待摇号结果") from None
            # Two entries drew the same number: draw again.
    raise ServiceError("try_again", "报名人数较多，请重试", status=503)


def lottery_close(*, campaign: VoucherCampaign, actor=None,
                  now: datetime | None = None) -> VoucherCampaign:
    """Seal the entry list once sign-up is over: leave out accounts closed or disabled by
    now, fix the quota, publish the list's SHA-256. Idempotent. ``actor`` is the operator
    pressing 封存名单, or None for the ``vouchers_lottery_close`` timer."""
    if actor is not None:
        check_role(actor, OPERATOR)
    now = now or timezone.now()
    if campaign.distribution != Distribution.LOTTERY:
        raise ServiceError("not_a_lottery", "该活动不是报名摇号")
    if campaign.lottery_signup_until and now < campaign.lottery_signup_until + SEAL_GRACE:
        raise ServiceError("signup_open", "报名截止1分钟后才能封存名单（等最后一刻提交的报名处理完）")
    with transaction.atomic():
        locked = VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.lottery_closed_at:
            return locked
        round_obj = locked.rounds.order_by("starts_at").first()
        if round_obj is None:
            raise ServiceError("no_rounds", "该活动没有发放场次")
        entries = LotteryEntry.objects.filter(campaign=locked)
        entries.filter(_closed_account()).update(excluded=True)
        numbers = list(entries.filter(excluded=False).values_list("number", flat=True))
        locked.lottery_entries_digest = draw.entries_digest(numbers)
        locked.lottery_quota = round_obj.remaining
        locked.lottery_closed_at = now
        locked.save(update_fields=["lottery_entries_digest", "lottery_quota",
                                   "lottery_closed_at"])
    invalidate_all()  # the public record shows the sealed list's digest now
    return locked


def lotteries_close_due(*, now: datetime | None = None) -> int:
    """Seal every published lottery whose sign-up is over (the timer); returns how many."""
    now = now or timezone.now()
    due = VoucherCampaign.objects.filter(
        distribution=Distribution.LOTTERY, status=CampaignStatus.PUBLISHED,
        lottery_closed_at__isnull=True, lottery_signup_until__lte=now - SEAL_GRACE)
    closed = 0
    for campaign in due:
        try:
            lottery_close(campaign=campaign, now=now)
        except ServiceError:
            continue  # no rounds yet: the operator sees it on the campaign screen
        closed += 1
    return closed


def _check_value_window(campaign: VoucherCampaign, now: datetime) -> None:
    """The public value exists only after its draw day, and the list must have been sealed
    before that day (else the seal could have been timed after the value was known)."""
    today = timezone.localtime(now).date()
    draw_on = campaign.lottery_public_draw_on
    sealed_on = timezone.localtime(campaign.lottery_closed_at).date()
    if draw_on is None:  # committed before the date was asked for: at least after the seal
        if today <= sealed_on:
            raise ServiceError("public_value_too_early", "公开随机数须在名单封存之后的日子录入",
                               field="public_value")
        return
    if sealed_on >= draw_on:
        raise ServiceError("sealed_too_late",
                           f"名单封存于{sealed_on:%Y-%m-%d}，不早于约定的开奖日期"
                           f"{draw_on:%Y-%m-%d}，本次摇号不能用这一期号码开奖", status=409)
    if today <= draw_on:
        raise ServiceError("public_value_too_early",
                           f"“{campaign.lottery_public_source}”{draw_on:%Y年%-m月%-d日}开奖，"
                           f"请在{draw_on + timedelta(days=1):%Y年%-m月%-d日}以后录入",
                           field="public_value")


def lottery_public_value_enter(*, actor, campaign: VoucherCampaign, public_value: str,
                               now: datetime | None = None) -> VoucherCampaign:
    """Enter the named draw's number (after its day), recording who entered it. Nothing is
    drawn yet: a second staff member confirms it (``lottery_draw``). It may be corrected
    until then; the confirmer then has to differ from whoever entered it last."""
    check_role(actor, OPERATOR)
    now = now or timezone.now()
    public_value = (public_value or "").strip()
    if not public_value:
        raise ServiceError("public_value_required", "请录入公开随机数", field="public_value")
    if len(public_value) > 60:
        raise ServiceError("too_long", "最多60个字符", field="public_value")
    with transaction.atomic():
        locked = VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.lottery_drawn_at:
            raise ServiceError("already_drawn", "已经开奖")
        if not locked.lottery_closed_at:
            raise ServiceError("list_not_sealed", "请先在报名截止后封存报名名单，再开奖")
        _check_value_window(locked, now)
        locked.lottery_public_value = public_value
        locked.lottery_value_entered_by = actor
        locked.lottery_value_entered_at = now
        locked.save(update_fields=["lottery_public_value", "lottery_value_entered_by",
                                   "lottery_value_entered_at"])
    return locked


def lottery_draw(*, actor, campaign: VoucherCampaign, seed: str, public_value: str,
                 now: datetime | None = None) -> list[LotteryEntry]:
    """The second pair of eyes: a staff member other than the one who committed the seed
    and the one who entered the public value types the value again (it must match what was
    entered) and the seed; then the seed is revealed and vouchers go to the first ``quota``
    entries of ``draw.draw_order``. A winner whose account was closed after the seal
    forfeits (no voucher) and nobody moves up: a rule that let closing accounts promote the
    next in line would let whoever can disable accounts steer the result once the public
    value is known. Returns the winners, forfeited ones included."""
    check_role(actor, OPERATOR)
    now = now or timezone.now()
    public_value = (public_value or "").strip()
    campaign = VoucherCampaign.objects.get(pk=campaign.pk)  # as sealed, not as the caller saw it
    if campaign.lottery_drawn_at:
        raise ServiceError("already_drawn", "已经开奖")
    if not campaign.lottery_closed_at:
        raise ServiceError("list_not_sealed", "请先在报名截止后封存报名名单，再开奖")
    if not campaign.lottery_value_entered_by_id:
        raise ServiceError("public_value_not_entered",
                           f"请先录入公开随机数（{campaign.lottery_public_source}），"
                           "再由另一位工作人员复核开奖")
    _check_value_window(campaign, now)
    if actor.pk in (campaign.lottery_committed_by_id, campaign.lottery_value_entered_by_id):
        raise ServiceError("second_person_required",
                           "开奖须由另一位工作人员复核：生成种子承诺的人和录入公开随机数的人"
                           "都不能复核开奖", status=403)
    if not public_value:
        raise ServiceError("public_value_required",
                           f"请输入公开随机数（{campaign.lottery_public_source}）",
                           field="public_value")
    if public_value != campaign.lottery_public_value:
        raise ServiceError("public_value_mismatch",
                           "与录入的公开随机数不一致，请对照开奖公告核对", field="public_value")
    if not seed or draw.commitment(seed) != campaign.lottery_commitment:
        raise ServiceError("seed_mismatch", "种子与事先公布的承诺不一致", field="seed")
    round_obj = campaign.rounds.order_by("starts_at").first()
    with transaction.atomic():
        locked = VoucherCampaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.lottery_drawn_at:
            raise ServiceError("already_drawn", "已经开奖")
        if locked.lottery_public_value != public_value:
            raise ServiceError("public_value_mismatch", "公开随机数刚被修改，请重新核对",
                               field="public_value", status=409)
        sealed = {str(e.number): e for e in (LotteryEntry.objects.select_related("user")
                                             .filter(campaign=locked, excluded=False))}
        if draw.entries_digest(sealed) != locked.lottery_entries_digest:
            raise ServiceError("list_changed", "报名名单与封存时不一致，不能开奖", status=409)
        order = draw.draw_order(seed=seed, entries=sealed, public_value=public_value)
        winners = [sealed[number] for number in draw.winners(order, locked.lottery_quota)]
        for entry in winners:
            entry.won = True
            if not entry.user.is_active or entry.user.deleted_at:
                entry.forfeited = True  # closed since the seal: no voucher, nobody moves up
                continue
            _claim_in_database(user=entry.user, round_obj=round_obj, campaign=locked,
                               now=now, ip=None, device="")
        LotteryEntry.objects.bulk_update(winners, ["won", "forfeited"])
        locked.lottery_seed = seed
        locked.lottery_drawn_at = now
        locked.lottery_drawn_by = actor
        locked.save(update_fields=["lottery_seed", "lottery_drawn_at", "lottery_drawn_by"])
    invalidate_all()  # the public record must show the result now
    return winners
