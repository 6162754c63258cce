"""Write paths for points. Every function takes the account's row lock (SELECT … FOR UPDATE)
before reading anything it decides on, so caps, balances and lots are exact under
concurrency; the idempotency key's unique index makes replays harmless."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from rongmei.core.errors import ServiceError
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

from .models import (
    EarningRule,
    EntryKind,
    PointsAccount,
    PointsEntry,
    PointsLot,
    PointsSpendLot,
)

CHECKIN = "checkin"
STREAK_BONUS_MAX = 6


def local_midnight(moment: datetime) -> datetime:
    """Start of the county's day (Asia/Shanghai) containing ``moment``."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def lot_expiry(granted_at: datetime) -> datetime:
    """Points expire at the end of the year after the one they were earned in
    (POINTS_EXPIRY_YEARS=1), midnight Asia/Shanghai."""
    local = timezone.localtime(granted_at)
    years = getattr(settings, "POINTS_EXPIRY_YEARS", 1)
    return datetime.combine(local.date().replace(year=local.year + years + 1, month=1, day=1),
                            time.min, tzinfo=local.tzinfo)


def _locked_account(user) -> PointsAccount:
    """Call inside a transaction: the user's account, created if needed, row-locked."""
    try:
        with transaction.atomic():
            PointsAccount.objects.get_or_create(user=user)
    except IntegrityError:  # created concurrently: it exists now
        pass
    return PointsAccount.objects.select_for_update().get(user=user)


def _write(account: PointsAccount, *, kind: str, amount: int, action: str, reason: str,
           source: str, key: str, now: datetime, actor=None, refund_of=None) -> PointsEntry:
    """Append one entry and move the balance with it. Caller holds the account lock."""
    balance = account.balance + amount
    if balance < 0:
        raise ServiceError("insufficient_points", f"积分不足，当前可用{account.balance}分",
                           status=409)
    entry = PointsEntry.objects.create(
        account=account, kind=kind, amount=amount, balance_after=balance, action=action,
        reason=reason[:120], source=source[:80], idempotency_key=key[:160], actor=actor,
        refund_of=refund_of, created_at=now)
    PointsAccount.objects.filter(pk=account.pk).update(balance=balance)
    account.balance = balance
    return entry


def _grant(account, *, amount, action, reason, source, key, now, actor=None) -> PointsEntry:
    entry = _write(account, kind=EntryKind.EARN if actor is None else EntryKind.ADJUST,
                   amount=amount, action=action, reason=reason, source=source, key=key,
                   now=now, actor=actor)
    PointsLot.objects.create(account=account, entry=entry, amount=amount, remaining=amount,
                             expires_at=lot_expiry(now))
    return entry


def _draw(account, entry: PointsEntry, amount: int, now: datetime) -> None:
    """Take ``amount`` from the account's live lots, soonest-expiring first."""
    left = amount
    for lot in (PointsLot.objects.select_for_update()
                .filter(account=account, remaining__gt=0, expires_at__gt=now)
                .order_by("expires_at", "pk")):
        take = min(left, lot.remaining)
        PointsLot.objects.filter(pk=lot.pk).update(remaining=lot.remaining - take)
        PointsSpendLot.objects.create(entry=entry, lot=lot, amount=take)
        left -= take
        if left == 0:
            return
    raise ServiceError("insufficient_points", "可用积分不足", status=409)  # rolls back


def _expire_due(account, now: datetime) -> int:
    """Expire the account's lots past their date (caller holds the lock)."""
    expired = 0
    for lot in (PointsLot.objects.select_for_update()
                .filter(account=account, remaining__gt=0, expires_at__lte=now)
                .order_by("expires_at", "pk")):
        # A lot can expire more than once: a refund may put points back into a lot that has
        # already expired, and they expire again. Number each expiry of the lot.
        times = PointsSpendLot.objects.filter(lot=lot, entry__kind=EntryKind.EXPIRE).count()
        entry = _write(account, kind=EntryKind.EXPIRE, amount=-lot.remaining, action="expire",
                       reason=f"积分过期（{timezone.localtime(lot.expires_at):%Y年%m月%d日}）",
                       source=f"lot:{lot.pk}", key=f"expire:lot:{lot.pk}:{times + 1}", now=now)
        PointsSpendLot.objects.create(entry=entry, lot=lot, amount=lot.remaining)
        PointsLot.objects.filter(pk=lot.pk).update(remaining=0)
        expired += lot.remaining
    return expired


def _existing(key: str) -> PointsEntry | None:
    return PointsEntry.objects.filter(idempotency_key=key).first()


# --- earning ----------------------------------------------------------------------------------

def points_earn(*, user, action: str, source: str, key: str | None = None,
                now: datetime | None = None, quantity=1) -> PointsEntry | None:
    """Pay ``user`` for ``action`` on ``source`` (e.g. "article:12") per the operator's rule.

    ``quantity`` multiplies the rule's points for rules counted per unit (志愿服务 is per
    hour: 1.5 hours pays 1.5 × the rule, rounded down); it may be a Fraction or Decimal.

    The default idempotency key is (action, user, source, day): reading the same article twice
    in a day pays once. Returns the entry, or None when there is no active rule or today's
    cap is used up. A replayed event returns the original entry and pays nothing.
    """
    now = now or timezone.now()
    rule = EarningRule.objects.filter(action=action, is_active=True).first()
    if rule is None or not user.is_authenticated:
        return None
    key = key or f"{action}:{user.pk}:{source}:{timezone.localtime(now):%Y%m%d}"
    if (found := _existing(key)) is not None:
        return found
    try:
        with transaction.atomic():
            account = _locked_account(user)
            if (found := _existing(key)) is not None:
                return found
            amount = int(rule.points * quantity)
            if rule.daily_cap:
                earned = (PointsEntry.objects.filter(
                    account=account, action=action, kind=EntryKind.EARN,
                    created_at__gte=local_midnight(now),
                    created_at__lt=local_midnight(now) + timedelta(days=1))
                    .aggregate(total=Sum("amount"))["total"] or 0)
                amount = min(amount, rule.daily_cap - earned)
            if amount <= 0:
                return None
            return _grant(account, amount=amount, action=action, reason=rule.label,
                          source=source, key=key, now=now)
    except IntegrityError:  # the same event raced in on another connection
        return _existing(key)


def checkin(*, user, now: datetime | None = None) -> PointsEntry:
    """Daily check-in; consecutive days add a bonus (day 2: +1 … day 7 and on: +6)."""
    now = now or timezone.now()
    rule = EarningRule.objects.filter(action=CHECKIN, is_active=True).first()
    if rule is None:
        raise ServiceError("checkin_closed", "签到活动暂未开放")
    today = timezone.localtime(now).date()
    key = f"{CHECKIN}:{user.pk}:{today:%Y%m%d}"
    if _existing(key) is not None:
        raise ServiceError("already_checked_in", "今天已经签到过了，明天再来", status=409)
    streak = checkin_streak(user=user, today=today - timedelta(days=1)) + 1
    amount = rule.points + min(streak - 1, STREAK_BONUS_MAX)
    try:
        with transaction.atomic():
            account = _locked_account(user)
            return _grant(account, amount=amount, action=CHECKIN,
                          reason=f"每日签到（连续{streak}天）", source=f"day:{today:%Y%m%d}",
                          key=key, now=now)
    except IntegrityError:
        raise ServiceError("already_checked_in", "今天已经签到过了，明天再来",
                           status=409) from None


def checkin_streak(*, user, today) -> int:
    """Consecutive check-in days ending on ``today``."""
    days = set(PointsEntry.objects.filter(
        account__user=user, action=CHECKIN,
        created_at__gte=local_midnight(timezone.now()) - timedelta(days=400))
        .values_list("source", flat=True))
    streak, day = 0, today
    while f"day:{day:%Y%m%d}" in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


# --- spending and refunds --------------------------------------------------------------------

def points_spend(*, user, amount: int, action: str, reason: str, source: str, key: str,
                 now: datetime | None = None) -> PointsEntry:
    """Spend points (soonest-expiring first). Idempotent by ``key``."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ServiceError("invalid_points", "积分数量必须是正整数", field="points")
    now = now or timezone.now()
    if (found := _existing(key)) is not None:
        return found
    with transaction.atomic():
        account = _locked_account(user)
        if (found := _existing(key)) is not None:
            return found
        _expire_due(account, now)
        entry = _write(account, kind=EntryKind.SPEND, amount=-amount, action=action,
                       reason=reason, source=source, key=key, now=now)
        _draw(account, entry, amount, now)
        return entry


def points_refund(*, spend: PointsEntry, reason: str, now: datetime | None = None) -> PointsEntry:
    """Give back a spend, into exactly the lots it was drawn from. Once per spend."""
    now = now or timezone.now()
    if spend.kind != EntryKind.SPEND:
        raise ServiceError("not_a_spend", "只能退回积分使用记录")
    key = f"refund:{spend.pk}"
    if (found := _existing(key)) is not None:
        return found
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().get(pk=spend.account_id)
        if (found := _existing(key)) is not None:
            return found
        entry = _write(account, kind=EntryKind.REFUND, amount=-spend.amount, action="refund",
                       reason=reason, source=spend.source, key=key, now=now, refund_of=spend)
        for drawn in PointsSpendLot.objects.filter(entry=spend):
            PointsLot.objects.filter(pk=drawn.lot_id).update(
                remaining=F("remaining") + drawn.amount)
        # A lot that expired in the meantime expires again at once.
        _expire_due(account, now)
        return entry


def points_adjust(*, actor, user, amount: int, note: str,
                  now: datetime | None = None) -> PointsEntry:
    """Grant (amount > 0) or deduct (amount < 0) by hand, with a reason; audited."""
    check_role(actor, OPERATOR)
    note = (note or "").strip()
    if not note:
        raise ServiceError("reason_required", "请填写调整原因", field="note")
    if not isinstance(amount, int) or amount == 0:
        raise ServiceError("invalid_points", "调整数量必须是非零整数", field="amount")
    now = now or timezone.now()
    key = f"adjust:{uuid.uuid4().hex}"
    with transaction.atomic():
        account = _locked_account(user)
        if amount > 0:
            return _grant(account, amount=amount, action="adjust", reason=f"人工调整：{note}",
                          source="", key=key, now=now, actor=actor)
        _expire_due(account, now)
        entry = _write(account, kind=EntryKind.ADJUST, amount=amount, action="adjust",
                       reason=f"人工调整：{note}", source="", key=key, now=now, actor=actor)
        _draw(account, entry, -amount, now)
        return entry


def points_expire(*, now: datetime | None = None) -> int:
    """Expire every lot past its date (a periodic job). Running it twice changes nothing."""
    now = now or timezone.now()
    total = 0
    account_ids = (PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now)
                   .values_list("account_id", flat=True).distinct())
    for account_id in list(account_ids):
        with transaction.atomic():
            account = PointsAccount.objects.select_for_update().get(pk=account_id)
            total += _expire_due(account, now)
    return total
