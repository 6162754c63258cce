"""Reads of 问政, shaped once: the anonymised public board, a citizen's own cases, a unit's
work queue, similar-case suggestions and the per-case public timeline.

Everything public leaves through ``public_text``: the one masking function
(``core.masking.mask_personal_text``) with the names this citizen gave, over the text the
newsroom approved (its redaction when it made one)."""

from __future__ import annotations

import re

from django.db.models import Q

from rongmei.core.masking import mask_personal_text
from rongmei.core.roles import GRID_LEADER, UNIT_HANDLER
from rongmei.units.access import unit_scope

from .models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseDeadline,
    CaseEvent,
    DeadlineStep,
    PublicStatus,
)
from .services.common import names_of

BOARD_STATUSES = (PublicStatus.ACCEPTED, PublicStatus.PROCESSING, PublicStatus.ANSWERED,
                  PublicStatus.CLOSED)


def public_text(case: Case, text: str, *, names=None) -> str:
    """``text`` as the public may see it, for ``case``."""
    return mask_personal_text(text, names=names_of(case) if names is None else names)


def categories():
    return CaseCategory.objects.filter(is_active=True)


def public_cases(*, category_id=None, unit_id=None, status=None):
    qs = (Case.objects.filter(is_public=True, public_status__in=BOARD_STATUSES,
                              merged_into__isnull=True)
          .select_related("category", "reply_unit", "area", "user__realname"))
    if category_id:
        qs = qs.filter(category_id=category_id)
    if unit_id:
        qs = qs.filter(Q(reply_unit_id=unit_id) | Q(
            assignments__unit_id=unit_id,
            assignments__role__in=[AssignmentRole.LEAD, AssignmentRole.GRID])).distinct()
    if status in BOARD_STATUSES:
        qs = qs.filter(public_status=status)
    return qs.order_by("-created_at", "-pk")


def board_counts() -> dict[str, int]:
    """The board's headline figures: public cases 受理 (all on the board) and 办结."""
    from django.db.models import Count

    return public_cases().order_by().aggregate(
        accepted=Count("pk"), closed=Count("pk", filter=Q(public_status=PublicStatus.CLOSED)),
        answered=Count("pk", filter=Q(public_status__in=[PublicStatus.ANSWERED,
                                                          PublicStatus.CLOSED])))


def public_case(pk) -> Case | None:
    try:
        return public_cases().filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def public_timeline(case: Case):
    """The public entries of a case's log the newsroom has not withdrawn."""
    return (CaseEvent.objects.filter(case=case, public=True, withdrawn_at=None)
            .select_related("unit").order_by("created_at", "pk"))


def timeline_dicts(case: Case, *, names=None) -> list[dict]:
    names = names_of(case) if names is None else names
    return [{"id": e.pk, "at": e.created_at, "kind": e.kind,
             "text": public_text(case, e.public_text or e.get_kind_display(), names=names)}
            for e in public_timeline(case)]


def public_case_dict(case: Case, *, with_timeline: bool = True) -> dict:
    """What anyone may see: no names, no phones, no house numbers, no precise location, no
    photos. Lists pass ``with_timeline=False`` (one query per case otherwise)."""
    names = names_of(case)

    def shown(text):
        return public_text(case, text, names=names)

    return {
        "id": case.pk, "receipt_no": case.receipt_no,
        "title": shown(case.public_title or case.title),
        "description": shown(case.public_description or case.description),
        "category": case.category.name,
        "category_id": case.category_id, "status": case.public_status,
        "status_label": case.get_public_status_display(),
        "area": case.area.name if case.area_id else "",
        "latitude": float(case.public_latitude) if case.public_latitude is not None else None,
        "longitude": float(case.public_longitude) if case.public_longitude is not None else None,
        "author": "匿名网友", "created_at": case.created_at,
        "reply": shown(case.reply_text),
        "reply_unit": case.reply_unit.name if case.reply_unit_id else "",
        "answered_at": case.answered_at, "same_count": case.same_count,
        "follow_count": case.follow_count,
        "timeline": timeline_dicts(case, names=names) if with_timeline else [],
    }


def similar_cases(*, text: str, limit: int = 5) -> list[Case]:
    """Public cases sharing the most two-character pieces with ``text`` (titles first),
    matched against what the public sees of them — the newsroom's redaction when it made
    one, through the masking function — never the raw text, so a name, a phone number or a
    redacted word cannot be confirmed by searching for it. The query is masked alike, and
    pieces with digits or stars in them are not matched at all."""
    text = mask_personal_text(re.sub(r"\s+", "", text or "")[:40])
    grams = {text[i:i + 2] for i in range(len(text) - 1)
             if not any(ch in "，。！？、的了在是有我*" or ch.isdigit() or ch.isascii()
                        for ch in text[i:i + 2])}
    if len(grams) < 2:
        return []
    condition = Q()
    for gram in list(grams)[:20]:
        condition |= Q(public_title__contains=gram) | Q(public_title="", title__contains=gram)
    candidates = list(public_cases().filter(condition)[:200])
    shown = {}
    for case in candidates:
        names = names_of(case)
        shown[case.pk] = (public_text(case, case.public_title or case.title, names=names),
                          public_text(case, (case.public_description or case.description)[:300],
                                      names=names))

    def score(case):
        title, description = shown[case.pk]
        return sum(2 for g in grams if g in title) + sum(1 for g in grams if g in description)

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
    """Assignments a unit handler or 三长 may work on: lead/assist ones in the units where
    they may act as handler, grid ones where they may act as 三长 (``units.access``)."""
    qs = CaseAssignment.objects.select_related("case", "case__category", "unit").filter(
        Q(role__in=[AssignmentRole.LEAD, AssignmentRole.ASSIST],
          unit__in=unit_scope(user, UNIT_HANDLER))
        | Q(role=AssignmentRole.GRID, unit__in=unit_scope(user, GRID_LEADER)))
    if not include_done:
        qs = qs.filter(status__in=[AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED])
    return qs.order_by("-created_at", "-pk")


def promised_reply(case: Case):
    """The reply date the citizen was given (the current reply deadline), or None."""
    deadline = (CaseDeadline.objects.filter(case=case, step=DeadlineStep.REPLY,
                                            cancelled_at=None).order_by("-pk").first())
    return deadline.due_at if deadline else None


def staff_cases(*, state=None, track=None, query: str = ""):
    qs = Case.objects.select_related("category", "area", "reply_unit")
    if state:
        qs = qs.filter(state=state)
    if track:
        qs = qs.filter(track=track)
    if query:
        qs = qs.filter(Q(receipt_no__icontains=query) | Q(title__icontains=query))
    return qs.order_by("-created_at", "-pk")
