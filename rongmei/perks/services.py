"""Merchant staff set their shop's perks (``merchants.access``); nobody else can."""

from __future__ import annotations

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.merchants.access import access_merchant

from .models import Perk


def perk_create(*, actor, merchant_id: int, title: str, terms: str = "",
                min_stars: int = 0) -> Perk:
    merchant = access_merchant(actor, merchant_id)
    title = (title or "").strip()
    if not 2 <= len(title) <= 30:
        raise ServiceError("title_required", "请用2至30个字写明礼遇内容", field="title")
    if not isinstance(min_stars, int) or not 0 <= min_stars <= 5:
        raise ServiceError("invalid_stars", "最低星级须在0至5之间", field="min_stars")
    from rongmei.wordgate.services import scan

    if scan(title).blocked or scan(terms or "").blocked:
        raise ServiceError("sensitive_words", "礼遇内容含有不允许发布的内容，请修改")
    return Perk.objects.create(merchant=merchant, title=title, terms=(terms or "").strip()[:100],
                               min_stars=min_stars, created_by=actor)


def perk_withdraw(*, actor, perk_id: int) -> Perk:
    perk = Perk.objects.filter(pk=perk_id).first()
    merchant_id = perk.merchant_id if perk else 0
    access_merchant(actor, merchant_id)
    if perk is None:
        raise NotFoundError("礼遇不存在")
    perk.is_active = False
    perk.save(update_fields=["is_active"])
    return perk


def live_perks():
    return (Perk.objects.filter(is_active=True, merchant__status="approved")
            .select_related("merchant").order_by("min_stars", "pk"))
