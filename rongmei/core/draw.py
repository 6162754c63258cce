"""A public draw (公开摇号) nobody can predict and anyone can check.

This module is the whole rule, and it is also the verification script that residents
download: it uses only Python's standard library and imports nothing from Rongmei, so the
code that drew the winners is exactly the code anyone can run afterwards
(``python rongmei_draw.py record.json``). Keep it that way: no Django, no third-party
packages, no other Rongmei module.

Why nobody can predict it. The order of the entries comes from three inputs, and no single
party controls all of them:

1. ``seed`` — chosen by the organiser *before* sign-up opens. Only its SHA-256
   (``commitment``) is published then; the seed itself is revealed at the draw, and anyone
   can check that it matches the commitment. The organiser cannot change it afterwards.
2. ``entries_digest`` — the SHA-256 of the closed entry list, computed and published when
   sign-up closes. Residents decide who signs up; the organiser cannot add or drop anyone
   afterwards without changing the published digest.
3. ``public_value`` — a value that comes into existence only after the list is closed and
   that nobody involved controls, for example the 福彩/体彩 draw number of an issue named
   in advance, entered by the notary. Until that number is drawn, even the organiser who
   knows the seed cannot compute the result.

The formula (version ``rongmei-draw-v1``):

    entries_digest = SHA256( "\\n".join(sorted(entry_ids)) )             # ids as text, sorted as text
    draw_key       = SHA256( "rongmei-draw-v1\\n" + seed + "\\n" + entries_digest + "\\n" + public_value )
    score(id)      = HMAC-SHA256( key=draw_key, message=id )             # hex digest
    order          = entries sorted by (score(id), id)
    winners        = the first ``quota`` ids of ``order`` that are not in ``skipped``

All text is UTF-8; ``seed`` and ``public_value`` are used exactly as published (leading and
trailing spaces removed). ``skipped`` (optional, published with the record) lists entries of
the sealed list that gave up their place; the next entries in the order move up (递补). Use
it only for withdrawals the organiser cannot cause: whoever can make an entry "skipped"
after the public value is known can choose who moves up. The vouchers' lottery does not use
it (a winner whose account closed forfeits; see ``rongmei.vouchers.services.lottery``).

Command line: ``python rongmei_draw.py record.json`` reads a published record (a JSON object
with ``seed``, ``commitment``, ``entries``, ``entries_digest``, ``public_value``, ``quota``
and optionally ``skipped`` and ``winners``), recomputes everything, prints the order and the
winners, and exits with status 0 only when every published figure matches.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from collections.abc import Iterable

FORMULA = "rongmei-draw-v1"


class DrawError(ValueError):
    """The inputs cannot make a draw (empty seed, duplicate entries, …)."""


def _text(value) -> str:
    return str(value).strip()


def commitment(seed: str) -> str:
    """SHA-256 of the seed (hex), published before sign-up opens."""
    seed = _text(seed)
    if not seed:
        raise DrawError("seed is empty")
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def canonical_entries(entries: Iterable) -> list[str]:
    """The entry ids as text, sorted as text; duplicates are an error."""
    ids = sorted(_text(entry) for entry in entries)
    for previous, current in zip(ids, ids[1:]):  # noqa: RUF007 - the script runs on 3.9
        if previous == current:
            raise DrawError(f"entry {current} appears twice")
    if any(not entry for entry in ids):
        raise DrawError("an entry id is empty")
    return ids


def entries_digest(entries: Iterable) -> str:
    """SHA-256 (hex) of the closed entry list, published when sign-up closes."""
    return hashlib.sha256("\n".join(canonical_entries(entries)).encode("utf-8")).hexdigest()


def draw_key(*, seed: str, digest: str, public_value: str) -> bytes:
    seed, public_value = _text(seed), _text(public_value)
    if not seed:
        raise DrawError("seed is empty")
    if not public_value:
        raise DrawError("public value is empty")
    material = f"{FORMULA}\n{seed}\n{_text(digest)}\n{public_value}"
    return hashlib.sha256(material.encode("utf-8")).digest()


def score(key: bytes, entry) -> str:
    return hmac.new(key, _text(entry).encode("utf-8"), hashlib.sha256).hexdigest()


def draw_order(*, seed: str, entries: Iterable, public_value: str) -> list[str]:
    """Every entry id, in draw order (the first is drawn first)."""
    ids = canonical_entries(entries)
    key = draw_key(seed=seed, digest=entries_digest(ids), public_value=public_value)
    return sorted(ids, key=lambda entry: (score(key, entry), entry))


def winners(order: list[str], quota: int, skipped: Iterable = ()) -> list[str]:
    """The first ``quota`` ids of ``order`` not in ``skipped``."""
    if int(quota) < 0:
        raise DrawError("quota is negative")
    skip = {_text(entry) for entry in skipped}
    return [entry for entry in order if entry not in skip][:int(quota)]


def verify(record: dict) -> list[tuple[str, bool, str]]:
    """Check a published record; one (what, ok, detail) line per check."""
    checks = []
    seed = _text(record.get("seed", ""))
    entries = [_text(entry) for entry in record.get("entries", [])]
    published_commitment = _text(record.get("commitment", ""))
    computed = commitment(seed)
    checks.append(("种子与事先公布的承诺值一致", computed == published_commitment,
                   f"SHA256(种子) = {computed}"))
    digest = entries_digest(entries)
    checks.append(("报名名单与封存时公布的指纹一致", digest == _text(record.get("entries_digest", "")),
                   f"名单 {len(entries)} 个编号，指纹 = {digest}"))
    order = draw_order(seed=seed, entries=entries, public_value=record.get("public_value", ""))
    chosen = winners(order, int(record.get("quota", 0)), record.get("skipped", ()))
    if "winners" in record:
        published = sorted(_text(entry) for entry in record["winners"])
        checks.append(("中签名单与公布结果一致", sorted(chosen) == published,
                       f"按公式算出 {len(chosen)} 个中签编号"))
    return checks


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("用法：python rongmei_draw.py 摇号记录.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        record = json.load(handle)
    if record.get("formula", FORMULA) != FORMULA:
        print(f"本脚本只能核验 {FORMULA} 公式的摇号记录", file=sys.stderr)
        return 2
    missing = [key for key in ("seed", "entries", "public_value", "quota") if key not in record]
    if missing:  # a record downloaded before the draw: nothing to check yet, not a traceback
        print("这份记录还不能核验：缺少" + "、".join(missing) + "（摇号完成后公布种子和公开随机数，"
              "请在摇号后重新下载记录）", file=sys.stderr)
        return 2
    order = draw_order(seed=record["seed"], entries=record["entries"],
                       public_value=record["public_value"])
    chosen = winners(order, int(record["quota"]), record.get("skipped", ()))
    print("摇号顺序：" + " ".join(order))
    print("中签编号：" + " ".join(chosen))
    ok = True
    for what, passed, detail in verify(record):
        print(f"[{'一致' if passed else '不符'}] {what}（{detail}）")
        ok = ok and passed
    print("核验通过" if ok else "核验不通过")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
