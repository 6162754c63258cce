"""Voucher numbers, and the rotating QR token / dynamic code a holder shows at the till.

The QR encodes ``RMV1.<voucher id>.<minute window>.<signature>``; the signature is an HMAC
keyed by the server secret and the voucher's own secret, so nobody can forge one, and a
token is accepted only in its own minute and the one after: a screenshot stops working
within two minutes. For a till without a scanner the holder reads out the voucher number and
a six-digit dynamic code derived the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings

from rongmei.core.codes import short_code

WINDOW_SECONDS = 60
def new_code() -> str:
    return short_code(10)


def new_secret() -> str:
    return secrets.token_hex(16)


def current_window(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // WINDOW_SECONDS)


def _mac(voucher_secret: str, message: str) -> bytes:
    key = (settings.SECRET_KEY + ":voucher:" + voucher_secret).encode()
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def qr_token(voucher_id: int, voucher_secret: str, window: int | None = None) -> str:
    window = current_window() if window is None else window
    signature = _mac(voucher_secret, f"{voucher_id}.{window}").hex()[:20]
    return f"RMV1.{voucher_id}.{window}.{signature}"


def dynamic_code(voucher_secret: str, window: int | None = None) -> str:
    window = current_window() if window is None else window
    number = int.from_bytes(_mac(voucher_secret, f"dyn.{window}")[:4], "big") % 1_000_000
    return f"{number:06d}"


def parse_token(token: str) -> tuple[int, int, str] | None:
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or parts[0] != "RMV1" or not parts[1].isdecimal() or not parts[2].isdecimal():
        return None
    return int(parts[1]), int(parts[2]), parts[3]


def token_is_authentic(voucher_id: int, voucher_secret: str, window: int, signature: str) -> bool:
    expected = _mac(voucher_secret, f"{voucher_id}.{window}").hex()[:20]
    return hmac.compare_digest(expected, signature)


def window_is_fresh(window: int, now: float | None = None) -> bool:
    return current_window(now) - window in (0, 1)


def dynamic_code_matches(voucher_secret: str, code: str, now: float | None = None) -> bool:
    window = current_window(now)
    return any(hmac.compare_digest(dynamic_code(voucher_secret, w), (code or "").strip())
               for w in (window, window - 1))
