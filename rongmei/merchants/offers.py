"""What other modules offer at a merchant (消费券 usable there, 商城 products), shown on the
merchant's page and in its API without 企业之家 importing those modules.

A module registers a Wagtail hook ``rongmei_merchant_offers``: a function of the merchant
returning ``MerchantOffer`` objects. A module that is off offers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from wagtail import hooks


@dataclass(frozen=True)
class MerchantOffer:
    kind: str  # "voucher", "product", …
    id: int
    title: str
    rule: str  # the one-line terms: 满100减20, 200积分
    url: str
    action: str = "去看看"  # the button's words


def merchant_offers(merchant) -> list[MerchantOffer]:
    return [offer for hook in hooks.get_hooks("rongmei_merchant_offers")
            for offer in hook(merchant)]
