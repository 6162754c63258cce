"""志愿者礼遇 pages: the list for volunteers (what their star level opens) and 我的店铺's perks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rongmei.core.errors import ServiceError
from rongmei.core.modules import module_is_on
from rongmei.merchants.access import merchants_of
from rongmei.volunteers.models import Volunteer

from . import services
from .models import Perk

# Who may use a perk: every registered volunteer, or those with at least n stars.
STAR_CHOICES = [(0, "所有注册志愿者")] + [(n, f"{n}星及以上") for n in range(1, 6)]


def perks_view(request):
    volunteer = (Volunteer.objects.filter(user=request.user).first()
                 if request.user.is_authenticated else None)
    stars = volunteer.stars if volunteer else None
    return render(request, "perks/list.html", {
        "perks": [(perk, stars is not None and stars >= perk.min_stars)
                  for perk in services.live_perks()[:200]],
        "volunteer": volunteer,
        # 志愿者礼遇券 are voucher campaigns (only for volunteers of a star level): the
        # vouchers module shows and hands them out, when the county runs it.
        "vouchers_on": module_is_on("vouchers")})


@login_required
def mine_view(request):
    shops = list(merchants_of(request.user))
    if request.method == "POST":
        try:
            services.perk_create(actor=request.user,
                                 merchant_id=int(request.POST.get("merchant") or 0),
                                 title=request.POST.get("title", ""),
                                 terms=request.POST.get("terms", ""),
                                 min_stars=int(request.POST.get("min_stars") or 0))
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", "请检查填写的内容"))
        else:
            messages.success(request, "礼遇已发布")
        return redirect("perks:mine")
    return render(request, "perks/mine.html", {
        "shops": shops, "star_choices": STAR_CHOICES,
        "perks": Perk.objects.filter(merchant__in=shops).select_related("merchant")})


@login_required
@require_POST
def withdraw_view(request, pk: int):
    try:
        services.perk_withdraw(actor=request.user, perk_id=pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "礼遇已下架")
    return redirect("perks:mine")
