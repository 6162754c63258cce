"""Demo perks: two of the demo merchants offer volunteers something."""

from __future__ import annotations

ORDER = 80  # after the merchants and the volunteers


def seed(ctx) -> str:
    from rongmei.merchants.models import Merchant

    from .models import Perk

    if not Perk.objects.exists():
        offers = [("莲城百货超市", "凭志愿者证购物9.5折", 0),
                  ("荷塘农家饭庄", "三星及以上志愿者用餐8.8折", 3)]
        for name, title, stars in offers:
            merchant = Merchant.objects.filter(name=name).first()
            if merchant is not None:
                Perk.objects.create(merchant=merchant, title=title, min_stars=stars)
    return f"志愿者礼遇 {Perk.objects.count()} 项"
