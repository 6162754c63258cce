"""Write paths for vouchers, by concept; import them from here."""

from .campaigns import campaign_publish, round_add, rounds_add_daily, rounds_closed
from .claims import reconcile_gates, refuse_if_known_sold_out, voucher_grab
from .errors import VoucherError
from .lottery import (
    lotteries_close_due,
    lottery_close,
    lottery_commit,
    lottery_draw,
    lottery_public_value_enter,
    lottery_signup,
)
from .redemption import voucher_for_redemption, voucher_redeem, vouchers_expire
from .settlement import statement_generate, statements_generate_all

__all__ = [
    "VoucherError", "campaign_publish", "lotteries_close_due", "lottery_close",
    "lottery_commit", "lottery_draw", "lottery_public_value_enter", "lottery_signup",
    "reconcile_gates", "refuse_if_known_sold_out", "round_add",
    "rounds_add_daily", "rounds_closed", "statement_generate", "statements_generate_all",
    "voucher_for_redemption", "voucher_grab", "voucher_redeem", "vouchers_expire",
]
