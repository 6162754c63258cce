"""One automaton per process, rebuilt only when the dictionary changed.

Every change to the entries (``services.py``) writes a new random token into the
``DictionaryVersion`` row in the same transaction, and after the commit puts it in the
cache under ``VERSION_KEY``. Each process keeps the token its automaton was built from and
looks at the cache at most once per ``WORDGATE_VERSION_CHECK_SECONDS`` (1 s by default): a
gunicorn worker notices another worker's change within a second, and a scan costs no cache
or database round trip in between.

Tokens are random, not counters, so a rolled-back change can never be mistaken for a later
committed one. When the cache has no token (Redis flushed, first start) the row is read and
the token ``add``-ed to the cache, so a slow reader cannot overwrite a newer token. Without
Redis (the embedded default, an in-process cache per worker) the cached token lives only
``LOCAL_TOKEN_SECONDS``, so the other worker reads the row every few seconds instead.
"""

from __future__ import annotations

import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .matching import Entry, Matcher

VERSION_KEY = "wordgate:version"
LOCAL_TOKEN_SECONDS = 3


def _check_seconds() -> float:
    return float(getattr(settings, "WORDGATE_VERSION_CHECK_SECONDS", 1.0))


def _cache_timeout():
    return None if getattr(settings, "REDIS_URL", "") else LOCAL_TOKEN_SECONDS


def stored_token() -> str:
    """The token of the dictionary as the database has it (creating the row if needed)."""
    from .models import DictionaryVersion

    row = DictionaryVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    if row is None:
        row, _ = DictionaryVersion.objects.get_or_create(pk=1, defaults={"token": "initial"})
        return row.token
    return row


def current_token() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        token = stored_token()
        # Inside a transaction the row may hold this connection's uncommitted token: only
        # a committed one may go into the cache that every process trusts.
        if not connection.in_atomic_block:
            cache.add(VERSION_KEY, token, timeout=_cache_timeout())
    return token


def load_entries() -> dict[str, Entry]:
    from .models import WordEntry

    rows = WordEntry.objects.filter(is_active=True).values_list(
        "normalized", "word", "level", "kind", "suggestion")
    return {key: Entry(word, level, kind, suggestion)
            for key, word, level, kind, suggestion in rows.iterator(chunk_size=5000)}


class DictionaryCache:
    """The process's matcher and the token it was built from. One instance per process
    (``PROCESS_CACHE``); tests make more to stand for other processes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None
        self._token: str | None = None
        self._checked_at = float("-inf")
        self.builds = 0  # how many automatons this process built (for tests and metrics)

    def matcher(self) -> Matcher:
        now = time.monotonic()
        if self._matcher is not None and now - self._checked_at < _check_seconds():
            return self._matcher
        token = current_token()
        if self._matcher is not None and token == self._token:
            self._checked_at = now
            return self._matcher
        previous = self._matcher
        # With a previous automaton, a thread that finds another one rebuilding keeps
        # scanning with it for the moment that takes, instead of queueing behind the lock.
        if not self._lock.acquire(blocking=previous is None):
            return previous
        try:
            if self._matcher is None or token != self._token:
                # The token is read before the entries: a change committed in between makes
                # the automaton newer than its label (one extra rebuild), never older.
                token = stored_token()
                matcher = Matcher(load_entries())
                self._matcher, self._token = matcher, token
                self.builds += 1
            self._checked_at = time.monotonic()
            return self._matcher
        finally:
            self._lock.release()

    def expire(self) -> None:
        """Look at the version on the next scan (this process changed the dictionary)."""
        self._checked_at = float("-inf")

    def reset(self) -> None:
        with self._lock:
            self._matcher = None
            self._token = None
            self._checked_at = float("-inf")


PROCESS_CACHE = DictionaryCache()


def dictionary_changed() -> str:
    """Record a change to the entries; call inside the transaction that made it."""
    from django.utils import timezone

    from .models import DictionaryVersion

    token = uuid.uuid4().hex
    updated = DictionaryVersion.objects.filter(pk=1).update(token=token,
                                                            changed_at=timezone.now())
    if not updated:
        DictionaryVersion.objects.create(pk=1, token=token)
    cache.delete(VERSION_KEY)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, token, timeout=_cache_timeout()))
    PROCESS_CACHE.expire()
    return token
