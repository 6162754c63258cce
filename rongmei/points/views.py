"""The resident's points pages: balance with today's tasks and check-in, and the history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rongmei.core.errors import ServiceError

from . import selectors, services

HISTORY_PAGE_SIZE = 20


@login_required
def overview(request):
    return render(request, "points/overview.html", {
        "balance": selectors.balance(user=request.user),
        "today": selectors.today(user=request.user),
        "expiring": selectors.expiring_soon(user=request.user),
        "expiring_days": selectors.EXPIRING_DAYS,
        "active_tab": "me",
    })


@login_required
@require_POST
def checkin(request):
    try:
        entry = services.checkin(user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"签到成功，积分+{entry.amount}")
    return redirect("points:overview")


@login_required
def history(request):
    page = Paginator(selectors.entries(user=request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "points/history.html", {
        "page": page, "balance": selectors.balance(user=request.user),
        "active_tab": "me",
    })
