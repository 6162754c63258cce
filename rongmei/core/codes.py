"""Short codes people read out at a counter, and QR codes of them."""

from __future__ import annotations

import secrets

import segno

# No 0/O, 1/I/L: a code read out over the counter cannot be mistaken.
UNAMBIGUOUS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def short_code(length: int) -> str:
    return "".join(secrets.choice(UNAMBIGUOUS) for _ in range(length))


def qr_svg(text: str) -> str:
    """An inline SVG QR code (segno, pure Python): no image files, no JavaScript."""
    return segno.make(text, error="m").svg_inline(scale=6, border=2, dark="#111")
