"""Stable error codes of the vouchers app."""

from __future__ import annotations


class VoucherError:
    """Stable error codes of this app (clients switch on these)."""

    NOT_OPEN = "round_not_open"
    ENDED = "round_ended"
    SOLD_OUT = "sold_out"
    OVER_LIMIT = "over_limit"
    REALNAME_REQUIRED = "realname_required"
    VOLUNTEERS_ONLY = "volunteers_only"
    INVALID_QR = "invalid_qr"
    QR_EXPIRED = "qr_expired"
    ALREADY_USED = "already_redeemed"
    EXPIRED = "voucher_expired"
    NOT_YET_VALID = "voucher_not_yet_valid"
    WRONG_MERCHANT = "merchant_not_eligible"
    BELOW_THRESHOLD = "below_threshold"
    BELOW_FACE_VALUE = "below_face_value"
    MERCHANT_LIMIT = "merchant_daily_limit"
