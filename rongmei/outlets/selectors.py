"""Reads for the delivery screen, shaped once (no N+1 in templates)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Delivery, DeliveryStatus


def deliveries_for_console(*, status: str = "", outlet_id: int | None = None,
                           story: str = "") -> QuerySet[Delivery]:
    query = Delivery.objects.select_related("outlet", "snapshot", "actor").order_by(
        "-created_at", "-pk")
    if status in DeliveryStatus.values:
        query = query.filter(status=status)
    if outlet_id:
        query = query.filter(outlet_id=outlet_id)
    if story:
        query = query.filter(Q(story_key=story) | Q(snapshot__data__headline__icontains=story))
    return query


def delivery_detail(pk: int) -> Delivery | None:
    return (Delivery.objects.select_related("outlet", "snapshot", "actor")
            .prefetch_related("attempt_log").filter(pk=pk).first())
