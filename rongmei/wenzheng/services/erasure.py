"""Erasing a citizen's personal data from every 问政 table: when their case has been closed
longer than ``WENZHENG_RETENTION_DAYS`` (``purge_expired``), and when they delete their
account (``erase_for_account``, on ``accounts.signals.account_deleted``).

``PERSONAL_DATA`` lists, per model, what may hold it; ``tests/test_erasure.py`` checks that
every model of the app is listed here or in ``NO_PERSONAL_DATA`` and that nothing typed by
or about the citizen survives either path. What stays is the anonymised skeleton the
measures are computed from (category, units, track, times, deadlines, ratings).

A closed case is erased outright. A case still being handled when its citizen leaves keeps
the matter for the unit — its texts masked by the one masking function, so names, numbers
and house numbers go — but loses the person: contact details, account, precise location,
address, extra fields and attachments.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core.masking import mask_personal_text

from ..models import (
    AbuseReport,
    Briefing,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseFollow,
    CaseRating,
    CaseReply,
    CaseState,
    EventKind,
    Instruction,
    ProgressNote,
    TransferNotice,
    UnitRequest,
)
from . import notify
from .common import names_of, transition

ERASED = "（已按保存期限清除）"
ERASED_TITLE = "（已清除）"
ENDED = (CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED, CaseState.INFO_TIMEOUT)

# model → fields that can hold a citizen's personal data (typed by them, or about them).
PERSONAL_DATA = {
    Case: ("user", "title", "description", "public_title", "public_description", "extra",
           "address", "latitude", "longitude", "contact_name_encrypted",
           "contact_phone_encrypted", "info_request", "reject_reason", "reply_text"),
    CaseAttachment: ("file",),
    CaseEvent: ("actor", "note", "public_text"),
    CaseReply: ("text", "review_note"),
    ProgressNote: ("text", "review_note"),
    UnitRequest: ("reason", "decision_note"),
    Briefing: ("title", "body", "review_note"),
    TransferNotice: ("requirements",),
    Instruction: ("text",),
    CaseRating: ("comment",),
    CaseFollow: ("user",),
    AbuseReport: ("reporter", "reason", "handling_note"),
}
# Models that hold none (configuration, the calendar, workflow skeleton).
NO_PERSONAL_DATA = ("CaseCategory", "CaseAssignment", "CaseDeadline", "DeadlineRule",
                    "HolidaySchedule", "HolidayDay",
                    # Partner systems and their reporters' sign-in-less accounts: the account
                    # is erased by accounts; the link holds only a keyed hash.
                    "Open311Partner", "Open311Reporter")


def _texts(case: Case, change) -> None:
    """Apply ``change`` to every free text of the case outside the ``Case`` row itself."""
    for model, fields in ((CaseReply, ("text", "review_note")),
                          (ProgressNote, ("text", "review_note")),
                          (Briefing, ("title", "body", "review_note")),
                          (Instruction, ("text",)),
                          (TransferNotice, ("requirements",))):
        for row in model.objects.filter(case=case):
            model.objects.filter(pk=row.pk).update(
                **{f: change(getattr(row, f), f) for f in fields})
    for row in UnitRequest.objects.filter(assignment__case=case):
        UnitRequest.objects.filter(pk=row.pk).update(reason=change(row.reason, "reason"),
                                                     decision_note=change(row.decision_note,
                                                                          "note"))
    # The sanctioned edit of the append-only log: erasing personal data.
    for row in CaseEvent.objects.filter(case=case).only("pk", "note", "public_text"):
        CaseEvent.objects.filter(pk=row.pk).update(note=change(row.note, "note"),
                                                   public_text=change(row.public_text, "note"))


def _drop_attachments(case: Case) -> None:
    for attachment in CaseAttachment.objects.filter(case=case):
        attachment.file.delete(save=False)
        attachment.delete()


def _erase(case: Case, *, now) -> None:
    """Everything personal goes; the skeleton stays for the measures."""
    def erased(value, field):
        if not value:
            return value
        return ERASED_TITLE if field == "title" else ("" if field == "note" else ERASED)

    user_id = case.user_id
    _drop_attachments(case)
    _texts(case, erased)
    if user_id:
        CaseEvent.objects.filter(case=case, actor_id=user_id).update(actor=None)
    CaseRating.objects.filter(case=case).update(comment="")
    CaseFollow.objects.filter(case=case).delete()
    AbuseReport.objects.filter(case=case).update(reporter=None, reason=ERASED,
                                                 handling_note="")
    case.user = None
    case.title, case.description = ERASED_TITLE, ERASED
    case.public_title = case.public_description = ""
    case.extra, case.address = {}, ""
    case.latitude = case.longitude = None
    case.contact_name_encrypted = case.contact_phone_encrypted = ""
    case.info_request = case.reject_reason = ""
    case.reply_text = ERASED if case.reply_text else ""
    case.is_public = False
    case.purged_at = now
    case.save()
    from rongmei.notices.services import forget

    forget(about=notify.about(case))


def _release(case: Case) -> None:
    """The citizen leaves, the matter stays: mask its texts, drop the person."""
    names = names_of(case)

    def masked(value, field):
        return mask_personal_text(value, names=names) if value else value

    user_id = case.user_id
    _drop_attachments(case)
    _texts(case, masked)
    if user_id:
        CaseEvent.objects.filter(case=case, actor_id=user_id).update(actor=None)
    case.title = mask_personal_text(case.title, names=names)[:60]
    case.description = mask_personal_text(case.description, names=names)
    case.public_title = mask_personal_text(case.public_title, names=names)[:60]
    case.public_description = mask_personal_text(case.public_description, names=names)
    case.reply_text = mask_personal_text(case.reply_text, names=names)
    case.info_request = mask_personal_text(case.info_request, names=names)[:200]
    case.user = None
    case.extra, case.address = {}, ""
    case.latitude = case.longitude = None
    case.contact_name_encrypted = case.contact_phone_encrypted = ""
    case.save()
    from rongmei.notices.services import scrub

    scrub(about=notify.about(case), clean=lambda text: mask_personal_text(text, names=names))


def purge_expired(*, now=None, days: int | None = None) -> int:
    """Erase personal data of cases ended more than ``WENZHENG_RETENTION_DAYS`` ago."""
    now = now or timezone.now()
    days = settings.WENZHENG_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    ids = list(Case.objects.filter(purged_at=None, closed_at__lt=cutoff, state__in=ENDED)
               .values_list("pk", flat=True))
    for case_id in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            _erase(case, now=now)
            transition(case, to=None, kind=EventKind.PURGED, public=False,
                       note=f"超过保存期限{days}天，已清除个人信息", tell_citizen=False)
    return len(ids)


def erase_for_account(user) -> int:
    """注销 (inside the deletion's transaction): the person's cases lose everything
    personal — ended ones entirely, open ones keep the masked matter for the unit — and
    their follows and reports no longer name them. Returns the number of cases."""
    now = timezone.now()
    cases = list(Case.objects.select_for_update().select_related("user")
                 .filter(user=user).order_by("pk"))
    for case in cases:
        if case.state in ENDED:
            _erase(case, now=now)
        else:
            _release(case)
        transition(case, to=None, kind=EventKind.ACCOUNT_DELETED, public=False,
                   note="反映人已注销账号，个人信息已清除", tell_citizen=False)
    CaseFollow.objects.filter(user=user).delete()
    AbuseReport.objects.filter(reporter=user).update(reporter=None)
    return len(cases)
