"""Rendering the holder's rotating QR code (segno, pure Python, inline SVG)."""

import time

from rongmei.core.codes import qr_svg

from . import codes


def qr_payload(voucher) -> dict:
    window = codes.current_window()
    token = codes.qr_token(voucher.pk, voucher.secret, window)
    svg = qr_svg(token)
    seconds_left = codes.WINDOW_SECONDS - int(time.time() % codes.WINDOW_SECONDS)
    return {"token": token, "svg": svg, "dynamic_code": codes.dynamic_code(voucher.secret, window),
            "code": voucher.code, "refresh_in": seconds_left}
