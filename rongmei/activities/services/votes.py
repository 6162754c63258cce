"""Votes at the scale of a hot contest: the entry rules cache, admission in Redis and the
drain that stores the admitted votes.

With Redis (``REDIS_URL``), an app's vote asks the database nothing: one Lua script, in one
round trip, does it all atomically:

* **The voter.** The bearer token's holder is read from the workers' token cache
  (``accounts.tokens``, filled at issue, tombstoned by every door that ends a token or an
  account); a token the cache cannot vouch for is looked up in the database first
  (``accounts.services.api_token_user_cached``), as is the voter of a real-name contest.
* **Admission.** The voter's count for (contest, day, scope) is read; past the rule's N the
  vote is refused (409) and nothing else happens; otherwise the count goes up and its new
  value is the vote's slot — the same numbered slot the synchronous path takes.
* **Signals.** The device's set of voters and the address's count in the contest are noted,
  and the flags they earn (``多账号共用设备``, ``同一IP集中投票``, plus ``新注册账号`` known
  from the account) are written into the vote's line: a vote is stored once, flags and all.
* **Buffer.** The vote is appended as a JSON line to a Redis list (``core.listbuffer``, the
  same buffer analytics uses) and the entry's count of waiting votes goes up by one.

``votes_drain`` (the ``activities_votes_drain`` command, every few seconds; the bench runs it
before checking) claims the list and stores its lines in bulk. **The database has the final
word**: the unique ``(contest, voter, day, scope, slot)`` constraint still holds, and a line
it refuses (Redis was flushed in the middle of a day and forgot a voter's earlier votes) is
logged and counted as refused, never stored. Each line carries the id it was admitted with
(``Vote.ref``, unique), so a drain that died after its commit and is run again stores
nothing twice. In the same transaction each touched entry's ``votes`` goes up by exactly
the rows that transaction inserted (``RETURNING``): counted = stored, as with the synchronous
path's own increment and an invalidation's decrement, and without counting a hot entry's
rows again at every drain. If Redis is flushed, votes admitted but not yet
drained are lost (the voters were told 200; they are never counted twice).

The entry's rules (approved, contest published, voting window, N per day and scope, real
name required, video ready) come from a per-process cache kept ``RULES_SECONDS``: an entry
withdrawn or a contest unpublished is refused by every worker at most that long after.
Voting windows are compared with the clock on every vote, so opening and closing are exact.

The count a vote's answer shows is the entry's stored count (as cached, at most
``RULES_SECONDS`` old) plus its waiting votes; an entry's page shows its stored count plus
its waiting votes (selectors.public_entry); galleries and results show the stored count,
which trails the votes by at most the drain's interval.
"""

from __future__ import annotations

import copy
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rongmei.core.errors import ServiceError
from rongmei.core.listbuffer import RedisListBuffer
from rongmei.core.text import strip_controls

from ..models import Entry, Vote
from .common import IP_BURST, SHARED_DEVICE_VOTERS, SHARED_DEVICE_WINDOW

logger = logging.getLogger("rongmei.activities")

RULES_SECONDS = 5.0  # how long a worker trusts an entry's rules without asking again
_RULES_MAX = 2000  # entries remembered per process (cleared whole when full)
BUFFER = RedisListBuffer("votes:pending", "votes:batch:", "votes:batches")
WAITING_KEY = "votes:waiting"  # hash: entry id → votes admitted, not yet stored
SHOWN_PREFIX = "votes:shown:"  # + entry id: the count the last vote's answer showed
SHOWN_SECONDS = 60  # longer than the rules cache and a drain's interval
USED_PREFIX = "votes:used:"  # a voter's admitted votes of one (contest, day, scope)
USED_SECONDS = 2 * 86400  # a day's count outlives its day
CHUNK = 5000  # lines stored per transaction

_rules: dict[int, tuple[float, Entry | None]] = {}


def entry_rules(entry_id: int) -> Entry | None:
    """The entry with its contest and video, from this process's cache (``RULES_SECONDS``).
    The caller must not change it: it is shared by the requests of the next seconds."""
    now = time.monotonic()
    hit = _rules.get(entry_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    entry = Entry.objects.select_related("contest", "video").filter(pk=entry_id).first()
    if len(_rules) >= _RULES_MAX:
        _rules.clear()
    _rules[entry_id] = (now + RULES_SECONDS, entry)
    return entry


def forget_rules(entry_id: int | None = None) -> None:
    """Drop this process's cached rules (of one entry, or all): after a change made here
    (a review, a count setting), and in tests. Other workers wait out ``RULES_SECONDS``."""
    if entry_id is None:
        _rules.clear()
    else:
        _rules.pop(entry_id, None)


# KEYS: the prefix of the voters' used counts (the voter's id completes it), the device's
# voter set (or ''), the address's counter (or ''), the pending list, the waiting hash, the
# bearer token's cache entry (or '': the voter is ARGV[3]), the entry's last count shown.
# ARGV: 1 limit, 2 used ttl, 3 voter id (or ''), 4 device ttl, 5 address ttl, 6 voters per
# device that flag it, 7 votes per address that flag it, 8 entry id, 9 the line without its
# voter, account age, slot, flags and closing brace, 10 the device flag, 11 the address flag,
# 12 the new account's flag, 13 when the voter joined (epoch seconds; '' with a token),
# 14 now (epoch seconds), 15 the days an account counts as new, 16 the entry's stored count
# as this worker's rules cache holds it (up to RULES_SECONDS old), 17 SHOWN_SECONDS.
# With a token, its entry is accounts.tokens' JSON [user id, joined, expires]: absent, a
# tombstone or expired, nothing is done and the slot is -1 (the caller asks the database).
# The voter's count key is built here from the prefix: fine on one Redis server (the
# project's), not on a cluster.
# Returns {slot, waiting votes of the entry, flags, voter id, account age, count to show};
# slot 0: over the limit (nothing done). The count to show is the stored count plus the
# waiting votes, and never less than the last count shown plus this vote: right after a
# drain the cached stored count is older than the waiting count it must be added to, and
# the answer would otherwise go down (173, 174, then 167).
_ADMIT = """
local voter, joined = ARGV[3], tonumber(ARGV[13])
local now = tonumber(ARGV[14])
if KEYS[6] ~= '' then
  local held = redis.call('GET', KEYS[6])
  if not held or string.sub(held, 1, 1) ~= '[' then return {-1, 0, '', '', 0, 0} end
  local token = cjson.decode(held)
  if tonumber(token[3]) <= now then return {-1, 0, '', '', 0, 0} end
  voter, joined = string.format('%d', token[1]), tonumber(token[2])
end
local age = math.max(math.floor((now - joined) / 86400), 0)
local used_key = KEYS[1] .. voter
local used = tonumber(redis.call('GET', used_key) or '0')
if used >= tonumber(ARGV[1]) then return {0, 0, '', voter, age, 0} end
used = redis.call('INCR', used_key)
redis.call('EXPIRE', used_key, ARGV[2])
local flags = {}
if age < tonumber(ARGV[15]) then flags[#flags + 1] = ARGV[12] end
if KEYS[2] ~= '' then
  redis.call('SADD', KEYS[2], voter)
  redis.call('EXPIRE', KEYS[2], ARGV[4], 'NX')
  if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[6]) then flags[#flags + 1] = ARGV[10] end
end
if KEYS[3] ~= '' then
  local n = redis.call('INCR', KEYS[3])
  if n == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
  if n >= tonumber(ARGV[7]) then flags[#flags + 1] = ARGV[11] end
end
local text = table.concat(flags, '、')
redis.call('RPUSH', KEYS[4], ARGV[9] .. ',"v":' .. voter .. ',"age":' .. age .. ',"slot":' ..
           used .. ',"flags":' .. cjson.encode(text) .. '}')
local waiting = redis.call('HINCRBY', KEYS[5], ARGV[8], 1)
local shown = tonumber(ARGV[16]) + waiting
local before = tonumber(redis.call('GET', KEYS[7]) or '0')
if shown <= before then shown = before + 1 end
redis.call('SET', KEYS[7], shown, 'EX', ARGV[17])
return {used, waiting, text, voter, age, shown}
"""

# KEYS: the batch, the set of batches, the waiting hash. ARGV: entry id, count, … pairs.
# The waiting counts go down only if this run is the one that deletes the batch (two drains
# at once must not both), and never below zero (after a flush of Redis).
_DISCARD = """
if redis.call('DEL', KEYS[1]) == 1 then
  for i = 1, #ARGV, 2 do
    if redis.call('HINCRBY', KEYS[3], ARGV[i], -tonumber(ARGV[i + 1])) <= 0 then
      redis.call('HDEL', KEYS[3], ARGV[i])
    end
  end
end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
"""


def _window_key(kind: str, ident: str, window: int) -> str:
    return f"votes:{kind}:{ident}:{int(time.time() // window)}"


class VoterUnknown(Exception):
    """The vote cannot be cast by its token alone (``vote_cast``): authenticate, then ask
    again with the user."""


def admit(client, *, entry: Entry, user, token: str | None, day: date, scope: int,
          ip: str | None, device_id: str, now: datetime, over) -> Vote:
    """Admit one vote in Redis (see the module's docstring); raise ``over`` past the limit.
    The voter is ``user``, or the holder of the raw bearer ``token`` as the workers' token
    cache knows it (``VoterUnknown`` when it does not). Returns the vote as it will be stored
    (unsaved) with a copy of the entry whose ``votes`` is the count to show."""
    from redis import RedisError

    from rongmei.accounts.tokens import cache_key

    from .common import NEW_ACCOUNT_DAYS

    contest = entry.contest
    device_id = device_id[:64]
    ref = uuid.uuid4().hex
    line = json.dumps({"ref": ref, "c": contest.pk, "e": entry.pk,
                       "d": day.isoformat(), "s": scope, "t": now.isoformat(),
                       "ip": ip or None, "dev": device_id},
                      ensure_ascii=False, separators=(",", ":"))[:-1]
    burst_window, burst_limit = IP_BURST
    burst_seconds = int(burst_window.total_seconds())
    keys = [f"{USED_PREFIX}{contest.pk}:{day.isoformat()}:{scope}:",
            _window_key("device", f"{contest.pk}:{device_id}", SHARED_DEVICE_WINDOW)
            if device_id else "",
            _window_key("ip", f"{contest.pk}:{ip}", burst_seconds) if ip else "",
            BUFFER.pending, WAITING_KEY, cache_key(token) if user is None else "",
            shown_key(entry.pk)]
    joined = (getattr(user, "date_joined", None) or now) if user is not None else None
    args = [contest.votes_per_day, USED_SECONDS, user.pk if user is not None else "",
            SHARED_DEVICE_WINDOW + 1, burst_seconds + 1, SHARED_DEVICE_VOTERS, burst_limit,
            entry.pk, line, "多账号共用设备", "同一IP集中投票", "新注册账号",
            repr(joined.timestamp()) if joined is not None else "", repr(now.timestamp()),
            NEW_ACCOUNT_DAYS, entry.votes, SHOWN_SECONDS]
    try:
        slot, _waiting, flags, voter, age, count = _script(client)(keys=keys, args=args)
    except RedisError:
        logger.warning("vote not admitted: Redis unavailable", exc_info=True)
        raise ServiceError("vote_unavailable", "投票人数较多，请稍后再试",
                           status=503) from None
    if slot == -1:
        raise VoterUnknown
    if not slot:
        raise over
    shown = copy.copy(entry)  # the cached entry is shared: never changed
    shown.votes = int(count)
    return Vote(contest=contest, entry=shown, voter_id=int(voter), day=day, scope=scope,
                slot=int(slot), ip=ip or None, device_id=device_id,
                account_age_days=int(age),
                flags=flags.decode() if isinstance(flags, bytes) else flags, ref=ref)


_scripts: dict[int, object] = {}


def _script(client):
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_ADMIT)
    return script


def shown_key(entry_id: int) -> str:
    return f"{SHOWN_PREFIX}{entry_id}"


def forget_shown(entry_id: int) -> None:
    """An invalidation lowers the count on purpose: the next answer starts from it."""
    from rongmei.core.redis import get_redis

    client = get_redis()
    if client is not None:
        client.delete(shown_key(entry_id))


def waiting_votes(entry_id: int) -> int:
    """Votes admitted for the entry and not yet stored (0 without Redis)."""
    from rongmei.core.redis import get_redis

    client = get_redis()
    return max(int(client.hget(WAITING_KEY, entry_id) or 0), 0) if client is not None else 0


@dataclass
class DrainResult:
    batches: int = 0
    lines: int = 0
    stored: int = 0  # stored now or by an earlier run that died before discarding the batch
    refused: int = 0  # refused by the database's slot constraint (logged one by one)
    entries: set[int] = field(default_factory=set)

    def summary(self) -> str:
        return (f"投票入库：{self.batches} 批，{self.lines} 票，已入库 {self.stored}，"
                f"被数据库拒绝 {self.refused}，涉及作品 {len(self.entries)} 件")


def votes_drain() -> DrainResult:
    """Store the votes waiting in Redis (see the module's docstring). Idempotent; safe to
    run in several processes at once. Without Redis votes are stored as they are cast and
    there is nothing to do."""
    from rongmei.core.redis import get_redis

    result = DrainResult()
    client = get_redis()
    if client is None:
        return result
    for key in BUFFER.claim(client):
        per_entry: dict[int, int] = {}
        for _chunk, lines in BUFFER.chunks(client, key, CHUNK):
            _store(lines, result, per_entry)
        pairs = [value for item in per_entry.items() for value in item]
        client.eval(_DISCARD, 3, key, BUFFER.batches, WAITING_KEY, *pairs)
        result.batches += 1
    return result


def _store(lines: list[bytes], result: DrainResult, per_entry: dict[int, int]) -> None:
    votes = []
    for raw in lines:
        try:
            item = json.loads(raw)
            votes.append(Vote(
                ref=item["ref"], contest_id=int(item["c"]), entry_id=int(item["e"]),
                voter_id=int(item["v"]), day=date.fromisoformat(item["d"]),
                scope=int(item["s"]), slot=int(item["slot"]), ip=item["ip"] or None,
                # Cleaned again here: a line admitted before the door cleaned it must not
                # fail its whole chunk (PostgreSQL refuses NUL in text).
                device_id=strip_controls(str(item["dev"]))[:64],
                account_age_days=int(item["age"]),
                flags=strip_controls(str(item["flags"]))[:120],
                created_at=parse_datetime(item["t"])))
        except (ValueError, KeyError, TypeError):
            logger.error("vote line dropped: unreadable: %r", raw[:200])
            continue
        per_entry[votes[-1].entry_id] = per_entry.get(votes[-1].entry_id, 0) + 1
    result.lines += len(votes)
    if votes:
        _write(votes, result)


def _write(votes: list[Vote], result: DrainResult) -> None:
    """Store ``votes`` in one transaction. Should the database refuse the chunk (a line it
    cannot hold), each vote is tried alone and only the refused one is dropped (logged):
    one bad line never holds back the votes admitted with it."""
    try:
        _write_chunk(votes, result)
    except DatabaseError:
        if len(votes) == 1:
            result.refused += 1
            logger.exception("vote dropped at drain: the database refused it: ref %s contest %s "
                             "voter %s entry %s", votes[0].ref, votes[0].contest_id,
                             votes[0].voter_id, votes[0].entry_id)
            return
        for vote in votes:
            _write([vote], result)


def _write_chunk(votes: list[Vote], result: DrainResult) -> None:
    entries = sorted({vote.entry_id for vote in votes})
    with transaction.atomic():
        # The entries' rows first, in order: a drain and an invalidation (which also locks
        # the entry) take turns, and two drains never deadlock.
        known = set(Entry.objects.select_for_update().filter(pk__in=entries).order_by("pk")
                    .values_list("pk", flat=True))
        voters = dict(get_user_model().objects
                      .filter(pk__in={vote.voter_id for vote in votes})
                      .values_list("pk", "deleted_at"))
        for vote in votes:
            if voters.get(vote.voter_id):  # 注销 since: the vote stays, its signals do not
                vote.ip, vote.device_id = None, ""
        # An entry deleted meanwhile, or an account: its votes have nothing to belong to.
        inserted = _insert([vote for vote in votes
                            if vote.entry_id in known and vote.voter_id in voters])
        left = [vote.ref for vote in votes if vote.ref not in inserted]
        earlier = set()  # stored by a run that died before discarding the batch
        for start in range(0, len(left), 1000):
            earlier.update(Vote.objects.filter(ref__in=left[start:start + 1000])
                           .values_list("ref", flat=True))
        for vote in votes:
            if vote.ref not in inserted and vote.ref not in earlier:
                result.refused += 1
                logger.warning("vote refused at drain (slot taken, or entry or account gone): "
                               "contest %s voter %s day %s scope %s slot %s entry %s",
                               vote.contest_id, vote.voter_id, vote.day, vote.scope,
                               vote.slot, vote.entry_id)
        result.stored += len(inserted) + len(earlier)
        # Each entry's count goes up by the rows this transaction inserted — exactly those,
        # as the synchronous path adds its own and an invalidation takes its own away.
        added: dict[int, int] = {}
        for entry_id in inserted.values():
            added[entry_id] = added.get(entry_id, 0) + 1
        if added:
            Entry.objects.filter(pk__in=list(added)).update(votes=F("votes") + Case(
                *[When(pk=entry_id, then=Value(n)) for entry_id, n in added.items()],
                default=Value(0), output_field=IntegerField()))
    result.entries.update(entries)


_COLUMNS = ("ref", "contest_id", "entry_id", "voter_id", "day", "scope", "slot", "created_at",
            "ip", "device_id", "account_age_days", "flags", "invalid")


def _insert(votes: list[Vote]) -> dict[str, int]:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING`` in multi-row statements: a line whose
    ref is stored already, or whose slot is taken, is skipped. Returns ref → entry id of
    the rows inserted. Not ``bulk_create``: it would stamp ``created_at`` with the drain's
    time, not the vote's, and could not say which rows went in."""
    from django.db import connection

    ops = connection.ops
    table = ops.quote_name(Vote._meta.db_table)
    rows = [(vote.ref, vote.contest_id, vote.entry_id, vote.voter_id,
             ops.adapt_datefield_value(vote.day), vote.scope, vote.slot,
             ops.adapt_datetimefield_value(vote.created_at or timezone.now()),
             vote.ip, vote.device_id, vote.account_age_days, vote.flags, False)
            for vote in votes]
    size = 1000 if connection.vendor == "postgresql" else 70  # SQLite: 999 parameters
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    inserted: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start:start + size]
            cursor.execute(f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES "
                           f"{', '.join([row] * len(part))} ON CONFLICT DO NOTHING "
                           f"RETURNING ref, entry_id",
                           [value for values in part for value in values])
            inserted.update((ref, entry_id) for ref, entry_id in cursor.fetchall())
    return inserted
