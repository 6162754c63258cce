"""问政 measures per unit, category, track or month.

Definitions (each a share of the cases in the group that the measure applies to):

* 响应率 — assignments acknowledged (签收) by the acknowledge deadline *and* with a first
  contact with the citizen logged by the end of the next working day after that deadline;
* 解决率 — rated cases the citizen marked "resolved" (latest rating);
* 满意率 — rated cases rated 满意 or 基本满意, shown with 评价率 (rated / answered);
* 按期答复率 / 按期办结率 — reply and close deadlines met on or before their (extended) due
  time, among those met or breached;
* 办理时长 — submission to closing, in hours: median and 90th percentile;
* 退单率 — assignments returned (unit view) or cases with a return (other views);
* 延期率 — cases with an approved extension; 重办率 — answered cases reopened at least once.

Per unit, each outcome counts for the unit that held the case when it happened: a reply
deadline met or breached goes to the lead (or grid) assignment live at that moment, an
answer and its reopening to the unit whose reply was published, a rating to the unit whose
reply it rated, the handling time to the unit that held the case when it closed. A unit
that returned a case (退单) keeps its assignment's own figures (响应, 退单) and nothing of
what happened after it let go.

Rankings (the league table) list only groups with at least ``MIN_CASES_FOR_RANKING`` cases.
Measures read only anonymised fields, so they survive the retention purge.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from django.db.models import Prefetch
from django.utils import timezone

from . import workdays
from .models import (
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseAssignment,
    CaseDeadline,
    CaseRating,
    CaseReply,
    CaseState,
    DeadlineStep,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    Satisfaction,
    Track,
    UnitRequest,
)

MIN_CASES_FOR_RANKING = 10
GROUPS = {"unit": "责任单位", "category": "分类", "track": "办理路径", "month": "月份"}
COLUMNS = (
    ("cases", "问政数"), ("response_rate", "响应率"), ("resolve_rate", "解决率"),
    ("satisfaction_rate", "满意率"), ("rated_share", "评价率"),
    ("on_time_reply_rate", "按期答复率"), ("on_time_close_rate", "按期办结率"),
    ("median_hours", "办理时长中位数（小时）"), ("p90_hours", "办理时长P90（小时）"),
    ("return_rate", "退单率"), ("extension_rate", "延期率"), ("reopen_rate", "重办率"),
)


def _rate(numerator: int, denominator: int):
    return round(numerator / denominator, 4) if denominator else None


def _p90(values):
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, round(0.9 * len(ordered) + 0.5) - 1)
    return round(ordered[min(index, len(ordered) - 1)], 1)


def _case_queryset(start=None, end=None):
    qs = Case.objects.exclude(state__in=[CaseState.SUBMITTED, CaseState.NEEDS_INFO,
                                         CaseState.REJECTED, CaseState.MERGED,
                                         CaseState.INFO_TIMEOUT])
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lt=end)
    return qs.select_related("category").prefetch_related(
        Prefetch("assignments", queryset=CaseAssignment.objects.select_related("unit")
                 .prefetch_related(Prefetch("requests", queryset=UnitRequest.objects.all()))),
        Prefetch("deadlines", queryset=CaseDeadline.objects.all()),
        Prefetch("ratings", queryset=CaseRating.objects.order_by("-round")),
        Prefetch("replies", queryset=CaseReply.objects.filter(status=ReplyStatus.APPROVED)
                 .select_related("assignment").order_by("reviewed_at", "pk"),
                 to_attr="published_replies"),
    )


def _assignment_responded(assignment, deadlines, calendar) -> bool:
    ack = next((d for d in deadlines if d.assignment_id == assignment.pk
                and d.step == DeadlineStep.ACKNOWLEDGE), None)
    if ack is None or assignment.acknowledged_at is None:
        return False
    if assignment.acknowledged_at > ack.due_at or assignment.contacted_at is None:
        return False
    return assignment.contacted_at <= calendar.due_after(ack.due_at, 1)


class _Holders:
    """Which unit held a case when: its lead/grid assignments over time."""

    def __init__(self, case, assignments):
        self.case = case
        self.assignments = sorted(assignments, key=lambda a: (a.created_at, a.pk))

    def at(self, moment):
        if moment is None:
            return None
        held = [a for a in self.assignments if a.created_at <= moment
                and (a.returned_at is None or a.returned_at > moment)]
        return held[-1].unit_id if held else None

    def answered_by(self):
        """Units of the published replies, oldest first."""
        return [r.assignment.unit_id for r in self.case.published_replies]

    def rated_unit(self, rating):
        before = [r for r in self.case.published_replies
                  if r.reviewed_at and r.reviewed_at <= rating.created_at]
        return before[-1].assignment.unit_id if before else None


def _new_bucket():
    return defaultdict(int) | {"hours": []}


def _add_case(bucket, case, deadlines, assignments, *, unit_id=None, holders=None) -> None:
    """Add ``case`` to ``bucket``; with ``unit_id``, only the outcomes that unit held."""
    def mine(owner) -> bool:
        return unit_id is None or owner == unit_id

    bucket["cases"] += 1
    rating = case.ratings.all()[0] if case.ratings.all() else None
    if unit_id is None:
        answered = bool(case.answered_at or case.state in (CaseState.ANSWERED,
                                                            CaseState.CLOSED))
        reopened = answered and bool(case.reopen_count)
    else:
        answerers = holders.answered_by()
        answered = unit_id in answerers
        reopened = unit_id in answerers[:case.reopen_count]
    bucket["answered"] += answered
    bucket["reopened"] += reopened
    if rating is not None and mine(holders.rated_unit(rating) if holders else None):
        bucket["rated"] += 1
        bucket["resolved"] += rating.resolved
        bucket["satisfied"] += rating.satisfaction in (Satisfaction.SATISFIED,
                                                       Satisfaction.BASIC)
    for step, key in ((DeadlineStep.REPLY, "reply"), (DeadlineStep.CLOSE, "close")):
        for d in deadlines:
            if d.step != step or d.cancelled_at is not None:
                continue
            outcome_at = d.breached_at or d.met_at
            if outcome_at is None or not mine(holders.at(outcome_at) if holders else None):
                continue
            bucket[f"{key}_due"] += 1
            bucket[f"{key}_on_time"] += d.met_at is not None and d.met_at <= d.due_at
    if case.closed_at and case.state == CaseState.CLOSED and mine(
            holders.at(case.closed_at) if holders else None):
        bucket["hours"].append((case.closed_at - case.created_at).total_seconds() / 3600)
    requests = [r for a in assignments for r in a.requests.all()]
    bucket["extended"] += any(r.kind == RequestKind.EXTENSION and
                              r.status == RequestStatus.APPROVED for r in requests)


def _finish(key, label, bucket) -> dict:
    row = {"key": key, "label": label, "cases": bucket["cases"],
           "response_rate": _rate(bucket["responded"], bucket["assignments"]),
           "resolve_rate": _rate(bucket["resolved"], bucket["rated"]),
           "satisfaction_rate": _rate(bucket["satisfied"], bucket["rated"]),
           "rated_share": _rate(bucket["rated"], bucket["answered"]),
           "on_time_reply_rate": _rate(bucket["reply_on_time"], bucket["reply_due"]),
           "on_time_close_rate": _rate(bucket["close_on_time"], bucket["close_due"]),
           "median_hours": round(median(bucket["hours"]), 1) if bucket["hours"] else None,
           "p90_hours": _p90(bucket["hours"]),
           "return_rate": _rate(bucket["returned"], bucket["assignments"]),
           "extension_rate": _rate(bucket["extended"], bucket["cases"]),
           "reopen_rate": _rate(bucket["reopened"], bucket["answered"])}
    row["ranked"] = bucket["cases"] >= MIN_CASES_FOR_RANKING
    return row


def case_measures(*, group_by: str, start=None, end=None) -> list[dict]:
    """One row per group, largest first. ``group_by``: unit | category | track | month."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    buckets: dict = {}
    labels: dict = {}
    calendar = workdays.current()
    for case in _case_queryset(start, end).iterator(chunk_size=500):
        deadlines = list(case.deadlines.all())
        assignments = [a for a in case.assignments.all() if a.role != AssignmentRole.ASSIST]
        if group_by == "unit":
            by_unit = defaultdict(list)
            for a in assignments:
                by_unit[a.unit_id].append(a)
                labels[a.unit_id] = a.unit.name
            keys = list(by_unit)
        elif group_by == "category":
            keys = [case.category_id]
            labels[case.category_id] = case.category.name
        elif group_by == "track":
            keys = [case.track]
            labels[case.track] = Track(case.track).label if case.track else "未分路径"
        else:
            month = timezone.localtime(case.created_at).strftime("%Y-%m")
            keys = [month]
            labels[month] = month
        holders = _Holders(case, assignments) if group_by == "unit" else None
        for key in keys:
            bucket = buckets.setdefault(key, _new_bucket())
            mine = by_unit[key] if group_by == "unit" else assignments
            _add_case(bucket, case, deadlines, mine, holders=holders,
                      unit_id=key if group_by == "unit" else None)
            for a in mine:
                bucket["assignments"] += 1
                bucket["responded"] += _assignment_responded(a, deadlines, calendar)
                bucket["returned"] += a.status == AssignmentStatus.RETURNED
    rows = [_finish(k, labels.get(k, str(k)), b) for k, b in buckets.items()]
    if group_by == "month":
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (-r["cases"], str(r["label"])))


def league_table(*, start=None, end=None) -> list[dict]:
    """Units with enough cases, best first: 满意率, then 按期答复率, then 响应率."""
    rows = [r for r in case_measures(group_by="unit", start=start, end=end) if r["ranked"]]
    return sorted(rows, key=lambda r: (-(r["satisfaction_rate"] or 0),
                                       -(r["on_time_reply_rate"] or 0),
                                       -(r["response_rate"] or 0), r["label"]))


def measures_workbook(*, group_by: str, start=None, end=None) -> bytes:
    from rongmei.core.excel import workbook_bytes

    rows = case_measures(group_by=group_by, start=start, end=end)
    header = (GROUPS[group_by],) + tuple(label for _, label in COLUMNS) + ("参与排名",)
    body = ((r["label"],) + tuple(r[k] if r[k] is not None else "" for k, _ in COLUMNS)
            + ("是" if r["ranked"] else "否（不足10件）",) for r in rows)
    return workbook_bytes(f"问政按{GROUPS[group_by]}统计", header, body)
