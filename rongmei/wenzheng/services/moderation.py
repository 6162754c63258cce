"""What the newsroom does to what the public sees: edit (redact) a case's public title,
description and reply, withdraw a public case or a single public timeline entry, and handle
residents' abuse reports (举报). Every action is recorded as an internal ``CaseEvent``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rongmei.core.errors import NotFoundError, ServiceError

from ..models import AbuseReport, Case, CaseEvent, EventKind, ReportOutcome
from . import notify
from .common import check_newsroom, clean_text, staff_case, transition


def apply_redaction(case: Case, *, title=None, description=None, reply=None) -> list[str]:
    """Set what the board shows instead of the citizen's (or the unit's) own words. ``None``
    leaves a text alone; text equal to the original clears the edit. Returns the fields
    changed; the caller saves and logs."""
    changed = []
    if title is not None:
        title = clean_text(title, field="public_title", label="公开标题", max_length=60)
        value = "" if title == case.title else title
        if value != case.public_title:
            case.public_title = value
            changed.append("title")
    if description is not None:
        description = clean_text(description, field="public_description", label="公开内容",
                                 max_length=2000)
        value = "" if description == case.description else description
        if value != case.public_description:
            case.public_description = value
            changed.append("description")
    if reply is not None and case.reply_text:
        reply = clean_text(reply, field="public_reply", label="公开答复", max_length=3000)
        if reply != case.reply_text:
            case.reply_text = reply
            changed.append("reply")
    return changed


@transaction.atomic
def case_redact(*, actor, case_id, title=None, description=None, reply=None,
                reason: str = "") -> Case:
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    if case.purged_at is not None:
        raise ServiceError("purged", "该问政的内容已按保存期限清除", status=409)
    reason = clean_text(reason, field="reason", label="编辑理由", max_length=200, scan=False)
    changed = apply_redaction(case, title=title, description=description, reply=reply)
    if not changed:
        raise ServiceError("unchanged", "公开内容没有改动", field="public_title")
    case.save(update_fields=["public_title", "public_description", "reply_text"])
    transition(case, to=None, kind=EventKind.REDACTED, actor=actor, public=False, note=reason,
               data={"fields": changed})
    return case


@transaction.atomic
def case_withdraw(*, actor, case_id, reason: str) -> Case:
    """Take a case off the board and the API; handling goes on, the citizen is told."""
    check_newsroom(actor)
    case = staff_case(actor, case_id, lock=True)
    if not case.is_public:
        raise ServiceError("not_public", "该问政没有公开", status=409)
    reason = clean_text(reason, field="reason", label="撤下理由", max_length=200, scan=False)
    case.is_public, case.withdrawn_at = False, timezone.now()
    case.save(update_fields=["is_public", "withdrawn_at"])
    transition(case, to=None, kind=EventKind.WITHDRAWN, actor=actor, public=False, note=reason)
    notify.citizen_message(case, title="您的问政已不在问政广场公开",
                           body=f"“{case.title[:20]}”已由中心撤下公开展示，办理不受影响。")
    return case


@transaction.atomic
def entry_withdraw(*, actor, event_id, reason: str) -> CaseEvent:
    """Take one public timeline entry off (the entry stays in the internal log)."""
    check_newsroom(actor)
    try:
        event = CaseEvent.objects.get(pk=int(event_id), public=True, withdrawn_at=None)
    except (CaseEvent.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("公开记录不存在") from None
    case = staff_case(actor, event.case_id, lock=True)
    reason = clean_text(reason, field="reason", label="撤下理由", max_length=200, scan=False)
    CaseEvent.objects.filter(pk=event.pk).update(withdrawn_at=timezone.now())
    transition(case, to=None, kind=EventKind.ENTRY_WITHDRAWN, actor=actor, public=False,
               note=reason, data={"event": event.pk, "kind": event.kind})
    return event


OUTCOMES = {ReportOutcome.DISMISSED, ReportOutcome.REDACTED, ReportOutcome.WITHDRAWN}


@transaction.atomic
def report_handle(*, actor, case_id, outcome: str, note: str = "", title=None,
                  description=None, reply=None) -> int:
    """Handle every open 举报 of a case at once: dismiss them, redact the public texts
    (``title``/``description``/``reply``), or withdraw the case. Returns how many."""
    check_newsroom(actor)
    if outcome not in OUTCOMES:
        raise ServiceError("invalid", "请选择处理方式", field="outcome")
    case = staff_case(actor, case_id, lock=True)
    reports = AbuseReport.objects.select_for_update().filter(case=case, handled_at=None)
    count = len(reports)
    if not count:
        raise ServiceError("no_reports", "该问政没有待处理的举报", status=409)
    note = clean_text(note, field="note", label="处理说明", max_length=200,
                      required=outcome != ReportOutcome.DISMISSED, scan=False)
    if outcome == ReportOutcome.REDACTED:
        case_redact(actor=actor, case_id=case.pk, title=title, description=description,
                    reply=reply, reason=note)
    elif outcome == ReportOutcome.WITHDRAWN and case.is_public:
        case_withdraw(actor=actor, case_id=case.pk, reason=note)
    AbuseReport.objects.filter(pk__in=[r.pk for r in reports]).update(
        outcome=outcome, handled_by=actor, handled_at=timezone.now(), handling_note=note)
    transition(case, to=None, kind=EventKind.REPORT_HANDLED, actor=actor, public=False,
               note=note, data={"outcome": outcome, "reports": count})
    notify.resolve(notify.case_key(case.pk, "abuse"))
    return count
