"""服务+ in the resident app: the directory with search, 最近使用 and 我的常用, a service's
办事指南, leaving for the service (counted), and 常用 on/off."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rongmei.core.errors import NotFoundError, ServiceError
from rongmei.core.http import client_ip

from . import selectors, services
from .models import OpenMode, ServiceKind


def index_view(request):
    query = request.GET.get("q", "").strip()[:30]
    kind = request.GET.get("kind", "")
    if kind not in ServiceKind.values:
        kind = ""
    category = request.GET.get("category", "")
    category_id = int(category) if category.isdecimal() else None
    results = None
    if query or category_id:
        results = list(selectors.search(query, kind=kind, category_id=category_id)[:100])
    return render(request, "directory/index.html", {
        "query": query, "kind": kind, "results": results,
        "category_name": results[0].category.name if results and category_id else "",
        "groups": selectors.grouped(kind) if results is None else [],
        "kinds": ServiceKind.choices,
        "recent": selectors.recent(request.user),
        "favourites": selectors.favourites(request.user),
        "halls": selectors.halls(),
    })


def _service(pk):
    try:
        return services.live_service(pk)
    except NotFoundError:
        raise Http404("该服务不存在或已下线") from None


def detail_view(request, pk: int):
    service = _service(pk)
    return render(request, "directory/detail.html", {
        "service": service, "is_favourite": selectors.is_favourite(request.user, service),
        "back_url": request.GET.get("back") if (request.GET.get("back") or "").startswith(
            "/directory/") else reverse("directory:index"),
    })


@require_POST
def go_view(request, pk: int):
    """Count the open, then leave for the service (or show the mini-program to open)."""
    service = _service(pk)
    try:
        url = services.record_open(user=request.user, service=service,
                                    client=client_ip(request))
    except ServiceError:
        return redirect(f"{reverse('accounts:login')}?next={reverse('directory:detail', args=[pk])}")
    if service.open_mode == OpenMode.MINIPROGRAM:
        return render(request, "directory/miniprogram.html", {"service": service})
    return redirect(url)


@require_POST
def favourite_view(request, pk: int):
    service = _service(pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('directory:detail', args=[pk])}")
    on = request.POST.get("on") == "1"
    services.set_favourite(user=request.user, service=service, on=on)
    messages.success(request, "已加入我的常用" if on else "已移出我的常用")
    return redirect("directory:detail", pk)
