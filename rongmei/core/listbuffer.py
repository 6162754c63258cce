"""A Redis list as the buffer between a hot path and the timer that moves it into the
database (analytics events, contest votes).

The hot path appends lines to the pending list (its own way: a plain RPUSH, or inside a Lua
script that decides something first). The timer ``claim``s what has piled up: the pending
list is renamed to a fresh batch key and recorded in a set, in one Lua script, so lines
arriving meanwhile start a new list and a batch is never half-claimed. It then reads each
batch in fixed chunks (``<batch>:<offset>``, a name that is stable across retries, for the
caller's own "done" marker) and ``discard``s it once every chunk is in the database. A batch
left by a timer that died is still in the set and is finished by the next run. If Redis is
flushed, what it held is lost (never counted), and nothing is counted twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

# KEYS: pending list, new batch key, set of batches. Returns 1 if something was claimed.
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('SADD', KEYS[3], KEYS[2])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class RedisListBuffer:
    """The keys of one buffer: ``pending`` (the list appended to), ``batch_prefix`` (claimed
    batches) and ``batches`` (the set of claimed batches not yet discarded)."""

    pending: str
    batch_prefix: str
    batches: str

    def claim(self, client) -> list[str]:
        """Take what is pending as a new batch; return every batch not yet discarded (this
        one and any a dead run left), oldest name first."""
        client.eval(_CLAIM, 3, self.pending, f"{self.batch_prefix}{uuid.uuid4().hex}",
                    self.batches)
        return sorted(key.decode() if isinstance(key, bytes) else key
                      for key in client.smembers(self.batches))

    def chunks(self, client, key: str, size: int) -> Iterator[tuple[str, list[bytes]]]:
        """``(chunk key, lines)`` of a claimed batch, in order."""
        offset = 0
        while True:
            lines = client.lrange(key, offset, offset + size - 1)
            if not lines:
                return
            yield f"{key}:{offset}", lines
            offset += len(lines)

    def discard(self, client, key: str) -> None:
        pipe = client.pipeline()
        pipe.delete(key)
        pipe.srem(self.batches, key)
        pipe.execute()

    def waiting(self, client) -> int:
        """Lines not yet moved: pending plus claimed batches."""
        total = client.llen(self.pending)
        for key in client.smembers(self.batches):
            total += client.llen(key)
        return int(total)
