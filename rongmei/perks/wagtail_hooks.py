"""志愿者礼遇 on merchants' pages (``rongmei_merchant_offers``) and in 我的."""

from django.urls import reverse
from wagtail import hooks


@hooks.register("rongmei_merchant_offers")
def merchant_offers(merchant):
    from rongmei.merchants.offers import MerchantOffer

    return [MerchantOffer("perk", perk.pk, perk.title, perk.rule, reverse("perks:list"),
                          action="志愿者礼遇")
            for perk in merchant.perks.filter(is_active=True)]


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from rongmei.accounts.me import MeCell
    from rongmei.merchants.access import works_for_a_merchant

    cells = [MeCell("志愿者礼遇", reverse("perks:list"), "凭志愿者证享优惠", order=41)]
    if request.user.is_authenticated and works_for_a_merchant(request.user):
        cells.append(MeCell("店铺礼遇", reverse("perks:mine"), "给志愿者的优惠", group="work",
                            order=12))
    return cells
