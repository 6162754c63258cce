"""Personal data in 问政: who may see the citizen's contact details and photos (every look is
written to ``accounts.PersonalDataAccess``), and the retention purge that erases personal
data while keeping the anonymised case rows that the measures are computed from."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rongmei.core.access import has_role
from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.core.masking import mask_name, mask_phone
from rongmei.core.roles import GRID_LEADER, PROPAGANDA, UNIT_HANDLER

from ..models import AssignmentStatus, Case, CaseAttachment, CaseState, EventKind
from .common import (
    NEWSROOM,
    assignment_allowed,
    contact_name,
    contact_phone,
    is_newsroom,
    staff_case,
    transition,
)


def _log(viewer, case: Case, what: str, reason: str) -> None:
    from rongmei.accounts.models import PersonalDataAccess

    PersonalDataAccess.objects.create(viewer=viewer, subject_id=case.user_id, what=what,
                                      reason=f"问政{case.receipt_no}：{reason}"[:120])


def _subject_unit_blocked(viewer, case: Case) -> bool:
    """The complainant is never revealed to the party complained about."""
    if case.subject_unit_id is None or is_newsroom(viewer):
        return False
    from rongmei.core.access import unit_scope_paths
    from rongmei.core.roles import GRID_LEADER, UNIT_HANDLER

    subject_path = case.subject_unit.path
    scope = unit_scope_paths(viewer, UNIT_HANDLER, GRID_LEADER)
    return any(p.startswith(subject_path) or subject_path.startswith(p) for p in scope)


def contact_view(*, viewer, case_id, reveal: bool = False, reason: str = "") -> dict:
    """The citizen's contact details for the newsroom, or for a unit holding a live
    assignment of the case. Masked unless ``reveal`` (to call the citizen); logged either way.
    """
    case = staff_case(viewer, case_id)
    if case.purged_at is not None:
        return {"name": "", "phone": "", "masked": True}
    if not is_newsroom(viewer):
        live = [a for a in case.assignments.select_related("unit")
                if a.status in (AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED)
                and assignment_allowed(viewer, a)]
        if not live:
            raise PermissionDeniedError("只有正在承办的单位可以查看联系方式")
        if _subject_unit_blocked(viewer, case):
            raise PermissionDeniedError("反映人信息对被反映单位保密")
    name = contact_name(case) or (getattr(case.user, "nickname", "") or "")
    phone = contact_phone(case) or (case.user.phone if case.user_id and case.user.phone else "")
    if reveal:
        _log(viewer, case, "问政联系电话", reason.strip() or "联系反映人")
        return {"name": name, "phone": phone, "masked": False}
    _log(viewer, case, "问政联系方式（脱敏）", reason.strip() or "查看问政详情")
    return {"name": mask_name(name), "phone": mask_phone(phone), "masked": True}


def attachment_open(*, viewer, attachment_id):
    """Open a private attachment: the citizen who filed the case, or staff who may see it
    (a unit only while it holds a live assignment). Staff looks are logged."""
    from .common import own_case

    try:
        attachment = CaseAttachment.objects.select_related("case").get(pk=int(attachment_id))
    except (CaseAttachment.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("附件不存在") from None
    case = attachment.case
    if viewer.is_authenticated and case.user_id == viewer.pk:
        own_case(viewer, case.pk)
    elif not has_role(viewer, *NEWSROOM, PROPAGANDA, UNIT_HANDLER, GRID_LEADER):
        raise NotFoundError("附件不存在")  # to a resident, someone else's file does not exist
    else:
        staff_case(viewer, case.pk)
        if _subject_unit_blocked(viewer, case):
            raise PermissionDeniedError("反映人信息对被反映单位保密")
        _log(viewer, case, "问政附件", "查看群众上传的附件")
    try:
        return attachment, attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise NotFoundError("附件文件不存在") from None


def purge_expired(*, now=None, days: int | None = None) -> int:
    """Erase personal data of cases closed more than ``WENZHENG_RETENTION_DAYS`` ago: contact
    details, precise location, description, attachments and the link to the account. The row
    (category, units, track, times, ratings) stays for the statistics."""
    now = now or timezone.now()
    days = settings.WENZHENG_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    ids = list(Case.objects.filter(purged_at=None, closed_at__lt=cutoff,
                                   state__in=[CaseState.CLOSED, CaseState.REJECTED,
                                              CaseState.MERGED])
               .values_list("pk", flat=True))
    for case_id in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            for attachment in case.attachments.all():
                attachment.file.delete(save=False)
                attachment.delete()
            case.contact_name_encrypted = case.contact_phone_encrypted = ""
            case.latitude = case.longitude = None
            case.address = ""
            case.description = "（已按保存期限清除）"
            case.extra = {}
            case.user = None
            case.purged_at = now
            case.save()
            case.events.filter(kind__in=[EventKind.INFO_ADDED, EventKind.CONTACTED]).update(
                note="")  # the one sanctioned edit of the log: erasing personal data
            case.ratings.update(comment="")
            case.notifications.all().delete()
            transition(case, to=None, kind=EventKind.PURGED, public=False,
                       note=f"超过保存期限{days}天，已清除个人信息")
    return len(ids)

