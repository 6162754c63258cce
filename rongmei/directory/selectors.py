"""Reads for 服务+: the directory by category, search, 最近使用, 我的常用, usage."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from .models import Favourite, RecentUse, Service, ServiceCategory, ServiceHall, ServiceUsage
from .search import normalise_query


def live_services():
    return Service.objects.filter(is_active=True).select_related("category")


def search(query: str, *, kind: str = "", category_id=None):
    services = live_services()
    if kind:
        services = services.filter(kind=kind)
    if category_id:
        services = services.filter(category_id=category_id)
    query = normalise_query(query)
    if query:
        services = services.filter(Q(search_text__contains=query) | Q(summary__icontains=query))
    return services


def grouped(kind: str = "") -> list[tuple[ServiceCategory, list[Service]]]:
    """Categories in order, each with its live services (empty categories left out)."""
    groups: dict[int, tuple[ServiceCategory, list[Service]]] = {}
    services = live_services().order_by("category__kind", "category__order", "category_id",
                                        "order", "pk")
    if kind:
        services = services.filter(category__kind=kind)
    for service in services:
        groups.setdefault(service.category_id, (service.category, []))[1].append(service)
    return list(groups.values())


def recent(user, limit: int = 8) -> list[Service]:
    if not user.is_authenticated:
        return []
    rows = (RecentUse.objects.filter(user=user, service__is_active=True)
            .select_related("service", "service__category").order_by("-used_at")[:limit])
    return [row.service for row in rows]


def favourites(user) -> list[Service]:
    if not user.is_authenticated:
        return []
    rows = (Favourite.objects.filter(user=user, service__is_active=True)
            .select_related("service", "service__category").order_by("-created_at"))
    return [row.service for row in rows]


def is_favourite(user, service) -> bool:
    return user.is_authenticated and Favourite.objects.filter(user=user,
                                                              service=service).exists()


def halls():
    return list(ServiceHall.objects.all())


def usage(days: int = 30):
    """Opens per service over the last ``days`` days, and the daily totals."""
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = ServiceUsage.objects.filter(day__gte=since)
    per_service = (rows.values("service_id", "service__name", "service__category__name")
                   .annotate(total=Sum("opens")).order_by("-total", "service__name"))
    per_day = rows.values("day").annotate(total=Sum("opens")).order_by("day")
    return list(per_service), list(per_day)
