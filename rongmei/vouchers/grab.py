"""The Redis gate in front of a grab (抢券).

Thousands of people press the button at 10:00:00; a few hundred can win. One Lua script,
run atomically inside Redis, takes a stock token and marks the person's claim count, so
losers are answered from Redis and never reach the database. Winners then claim in the
database, which stays the record (and the real guard: see ``models``).

If Redis was wiped or restarted, the script finds no stock key and answers ``UNPRIMED``: the
caller claims through the database directly and the gate is rebuilt from the database by
``prime()`` (and by ``rongmei vouchers-reconcile``). Redis can over-count stock (more people
reach the database, which refuses them) but a token is only ever taken for a real attempt.
"""

from __future__ import annotations

import logging

from rongmei.core.redis import get_redis

logger = logging.getLogger("rongmei.vouchers")

# take() answers one of these, or a positive number: a token was taken, and the number is
# the person's claim count after it (their voucher's ``slot``).
SOLD_OUT, OVER_LIMIT, UNPRIMED = -1, -2, -3

_TAKE = """
local stock = redis.call('GET', KEYS[1])
if not stock then return -3 end
if tonumber(stock) <= 0 then return -1 end
local taken = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if taken >= tonumber(ARGV[2]) then return -2 end
redis.call('DECR', KEYS[1])
return redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
"""

# Undo a take whose database claim failed. Only if the stock key still exists: after a
# wipe, the rebuilt value already reflects the database.
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
  local left = redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
  if left <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
end
return 1
"""

_scripts: dict = {}


def stock_key(round_id: int) -> str:
    return f"vgate:r:{round_id}:stock"


def users_key(campaign_id: int) -> str:
    return f"vgate:c:{campaign_id}:users"


def _script(client, name: str, source: str):
    key = (id(client), name)
    if key not in _scripts:
        _scripts[key] = client.register_script(source)
    return _scripts[key]


def take(*, round_id: int, campaign_id: int, user_id: int, limit: int) -> int | None:
    """The slot taken (≥ 1), SOLD_OUT, OVER_LIMIT or UNPRIMED; None without Redis (or if it
    failed)."""
    client = get_redis()
    if client is None:
        return None
    try:
        return int(_script(client, "take", _TAKE)(
            keys=[stock_key(round_id), users_key(campaign_id)], args=[user_id, limit]))
    except Exception as exc:  # noqa: BLE001 - Redis down: the database decides alone
        logger.warning("voucher gate unavailable: %s", exc)
        return None


def give_back(*, round_id: int, campaign_id: int, user_id: int) -> None:
    client = get_redis()
    if client is None:
        return
    try:
        _script(client, "give_back", _GIVE_BACK)(
            keys=[stock_key(round_id), users_key(campaign_id)], args=[user_id])
    except Exception as exc:  # noqa: BLE001
        logger.warning("voucher gate give-back failed: %s", exc)


def prime(round_obj, *, force: bool = False) -> bool:
    """(Re)build the gate for a round from the database. Without ``force`` only if the
    stock key is missing; one caller at a time (a short Redis lock)."""
    from .models import Voucher

    client = get_redis()
    if client is None:
        return False
    try:
        if not force and client.exists(stock_key(round_obj.pk)):
            return False
        if not client.set(f"vgate:r:{round_obj.pk}:priming", 1, nx=True, ex=10):
            return False
        try:
            round_obj.refresh_from_db(fields=["remaining"])
            counts = {}
            for user_id in Voucher.objects.filter(campaign_id=round_obj.campaign_id).values_list(
                    "user_id", flat=True).iterator():
                counts[user_id] = counts.get(user_id, 0) + 1
            pipe = client.pipeline(transaction=True)
            pipe.delete(users_key(round_obj.campaign_id))
            if counts:
                pipe.hset(users_key(round_obj.campaign_id), mapping=counts)
            pipe.set(stock_key(round_obj.pk), round_obj.remaining)
            ttl = max(int((round_obj.ends_at - round_obj.starts_at).total_seconds()) + 86400, 3600)
            pipe.expire(stock_key(round_obj.pk), ttl)
            pipe.expire(users_key(round_obj.campaign_id), ttl + 86400 * 30)
            pipe.execute()
        finally:
            client.delete(f"vgate:r:{round_obj.pk}:priming")
        return True
    except Exception as exc:  # noqa: BLE001
        logger.warning("voucher gate priming failed: %s", exc)
        return False


def mark_sold_out(round_id: int) -> None:
    """The database said the round is empty: make the gate say so too."""
    client = get_redis()
    if client is None:
        return
    try:
        client.set(stock_key(round_id), 0, xx=True)
    except Exception as exc:  # noqa: BLE001
        logger.warning("voucher gate sold-out mark failed: %s", exc)
