"""Reads of 问政, shaped once: the anonymised public board, a citizen's own cases, a unit's
work queue, similar-case suggestions and the per-case public timeline."""

from __future__ import annotations

import re

from django.db.models import Q

from rongmei.core.access import has_role
from rongmei.core.roles import ADMINISTRATOR

from .models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseEvent,
    PublicStatus,
)
from .services.common import unit_paths

BOARD_STATUSES = (PublicStatus.ACCEPTED, PublicStatus.PROCESSING, PublicStatus.ANSWERED,
                  PublicStatus.CLOSED)
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")


def anonymise_text(text: str) -> str:
    """Mask phone and ID numbers a citizen typed into the text before it is shown publicly."""
    text = _ID.sub(lambda m: f"{m.group(1)}{'*' * 11}{m.group(2)}", text or "")
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def categories():
    return CaseCategory.objects.filter(is_active=True)


def public_cases(*, category_id=None, unit_id=None, status=None):
    qs = (Case.objects.filter(is_public=True, public_status__in=BOARD_STATUSES,
                              merged_into__isnull=True)
          .select_related("category", "reply_unit", "area"))
    if category_id:
        qs = qs.filter(category_id=category_id)
    if unit_id:
        qs = qs.filter(Q(reply_unit_id=unit_id) | Q(
            assignments__unit_id=unit_id,
            assignments__role__in=[AssignmentRole.LEAD, AssignmentRole.GRID])).distinct()
    if status in BOARD_STATUSES:
        qs = qs.filter(public_status=status)
    return qs.order_by("-created_at", "-pk")


def public_case(pk) -> Case | None:
    try:
        return public_cases().filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def public_timeline(case: Case):
    return (CaseEvent.objects.filter(case=case, public=True).select_related("unit")
            .order_by("created_at", "pk"))


def public_case_dict(case: Case, *, with_timeline: bool = True) -> dict:
    """What anyone may see: no names, no phones, no precise location, no photos. Lists pass
    ``with_timeline=False`` (one query per case otherwise)."""
    return {
        "id": case.pk, "receipt_no": case.receipt_no, "title": anonymise_text(case.title),
        "description": anonymise_text(case.description), "category": case.category.name,
        "category_id": case.category_id, "status": case.public_status,
        "status_label": case.get_public_status_display(),
        "area": case.area.name if case.area_id else "",
        "latitude": float(case.public_latitude) if case.public_latitude is not None else None,
        "longitude": float(case.public_longitude) if case.public_longitude is not None else None,
        "author": "匿名网友", "created_at": case.created_at,
        "reply": anonymise_text(case.reply_text),
        "reply_unit": case.reply_unit.name if case.reply_unit_id else "",
        "answered_at": case.answered_at, "same_count": case.same_count,
        "follow_count": case.follow_count,
        "timeline": [{"at": e.created_at, "text": e.public_text or e.get_kind_display()}
                     for e in public_timeline(case)] if with_timeline else [],
    }


def similar_cases(*, text: str, limit: int = 5) -> list[Case]:
    """Public cases sharing the most two-character pieces with ``text`` (titles first)."""
    text = re.sub(r"\s+", "", text or "")[:40]
    grams = {text[i:i + 2] for i in range(len(text) - 1)
             if not any(ch in "，。！？、的了在是有我" for ch in text[i:i + 2])}
    if len(grams) < 2:
        return []
    condition = Q()
    for gram in list(grams)[:20]:
        condition |= Q(title__contains=gram)
    candidates = list(public_cases().filter(condition)[:200])

    def score(case):
        return sum(2 for g in grams if g in case.title) + sum(
            1 for g in grams if g in case.description[:300])

    ranked = sorted(candidates, key=lambda c: (-score(c), -c.pk))
    return [c for c in ranked if score(c) >= 4][:limit]


def my_cases(*, user):
    return (Case.objects.filter(user=user).select_related("category", "reply_unit")
            .order_by("-created_at", "-pk"))


def my_case(*, user, pk) -> Case | None:
    try:
        return my_cases(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def work_queue(*, user, include_done: bool = False):
    """Assignments a unit handler or 三长 may work on (their units' subtree only)."""
    qs = CaseAssignment.objects.select_related("case", "case__category", "unit")
    if not has_role(user, ADMINISTRATOR):
        handler, grid = unit_paths(user)
        condition = Q(pk__in=[])
        for path in handler:
            condition |= Q(unit__path__startswith=path,
                           role__in=[AssignmentRole.LEAD, AssignmentRole.ASSIST])
        for path in grid:
            condition |= Q(unit__path__startswith=path, role=AssignmentRole.GRID)
        qs = qs.filter(condition)
    if not include_done:
        qs = qs.filter(status__in=[AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED])
    return qs.order_by("-created_at", "-pk")


def staff_cases(*, state=None, track=None, query: str = ""):
    qs = Case.objects.select_related("category", "area", "reply_unit")
    if state:
        qs = qs.filter(state=state)
    if track:
        qs = qs.filter(track=track)
    if query:
        qs = qs.filter(Q(receipt_no__icontains=query) | Q(title__icontains=query))
    return qs.order_by("-created_at", "-pk")
