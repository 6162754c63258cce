from django import template

from rongmei.vouchers.models import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """2000 → '20', 1550 → '15.50' (amounts are stored in fen)."""
    return _yuan(fen or 0)
