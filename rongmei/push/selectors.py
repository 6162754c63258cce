"""Reads for the push console and API."""

from __future__ import annotations

from .models import PushMessage, PushSubscription


def subscriber_count(*, topic: str) -> int:
    return PushSubscription.objects.filter(topics__contains=f",{topic},").count()


def message_history():
    return PushMessage.objects.select_related("actor").order_by("-created_at", "-pk")
