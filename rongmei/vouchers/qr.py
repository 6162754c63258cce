"""Rendering the holder's rotating QR code (segno, pure Python, inline SVG)."""

import time

import segno

from . import codes


def qr_payload(voucher) -> dict:
    window = codes.current_window()
    token = codes.qr_token(voucher.pk, voucher.secret, window)
    svg = segno.make(token, error="m").svg_inline(scale=6, border=2, dark="#111")
    seconds_left = codes.WINDOW_SECONDS - int(time.time() % codes.WINDOW_SECONDS)
    return {"token": token, "svg": svg, "dynamic_code": codes.dynamic_code(voucher.secret, window),
            "code": voucher.code, "refresh_in": seconds_left}
