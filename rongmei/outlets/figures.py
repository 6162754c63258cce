"""Followers and reads per outlet, fetched each morning from the platforms' statistics APIs
(公众号 datacube, 微博 users/show, 抖音 data/external) for the day before.

One row per (outlet, day), written again when the timer runs twice; a platform error is
kept as the row's Chinese note (the other outlets still go), a platform without statistics
is skipped. The figures reach 数据 through this app's ``rongmei_analytics_measures`` hook.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.utils import timezone

from .adapters import Adapter, DeliveryError, adapter_for
from .models import Outlet, OutletFigure

logger = logging.getLogger("rongmei.outlets")


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def fetch_figures(day: date | None = None) -> dict[str, int]:
    """Fetch ``day`` (default yesterday, county time) for every active outlet whose platform
    has statistics. Returns counts: fetched, failed, skipped."""
    day = day or yesterday()
    counts = {"fetched": 0, "failed": 0, "skipped": 0}
    for outlet in Outlet.objects.filter(is_active=True).order_by("pk"):
        adapter = adapter_for(outlet.kind)
        if type(adapter).figures is Adapter.figures:  # the platform has no statistics API
            counts["skipped"] += 1
            continue
        values = {"followers": None, "reads": None, "note": ""}
        try:
            figures = adapter.figures(outlet=outlet, day=day)
        except DeliveryError as exc:
            logger.warning("outlet %s figures for %s failed: %s", outlet.pk, day, exc.detail)
            values["note"] = exc.message[:200]
            counts["failed"] += 1
        else:
            values.update(followers=figures.followers, reads=figures.reads)
            counts["fetched"] += 1
        OutletFigure.objects.update_or_create(outlet=outlet, day=day,
                                              defaults={**values,
                                                        "fetched_at": timezone.now()})
    return counts


def latest_rows(start: date, end: date) -> list[list]:
    """Per outlet: its last figures within the period and the reads summed over it."""
    rows = {}
    for figure in (OutletFigure.objects.filter(day__range=(start, end))
                   .select_related("outlet").order_by("outlet_id", "day")):
        row = rows.setdefault(figure.outlet_id, {
            "name": figure.outlet.name, "kind": figure.outlet.get_kind_display(),
            "followers": None, "reads": None, "day": None, "note": ""})
        if figure.followers is not None:
            row["followers"], row["day"] = figure.followers, figure.day
        if figure.reads is not None:
            row["reads"] = (row["reads"] or 0) + figure.reads
        row["note"] = figure.note
    return [[r["name"], r["kind"], "—" if r["followers"] is None else r["followers"],
             "—" if r["reads"] is None else r["reads"], r["note"] or "正常"]
            for r in rows.values()]
