"""The pickup code as an inline SVG QR code (segno, pure Python)."""

import segno


def pickup_qr_svg(code: str) -> str:
    return segno.make(code, error="m").svg_inline(scale=6, border=2, dark="#111")
