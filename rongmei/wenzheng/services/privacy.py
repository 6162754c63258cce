"""Personal data in 问政: who may see the citizen's contact details and attachments (the
newsroom, and a unit only while it holds the case; every look is written to
``accounts.PersonalDataAccess``). Erasure (account deletion, the retention purge) lives in
``erasure``."""

from __future__ import annotations

from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.core.masking import mask_name, mask_phone
from rongmei.core.roles import GRID_LEADER, PROPAGANDA, UNIT_HANDLER
from rongmei.units.access import can_act_in_unit, has_role, unit_scope
from rongmei.units.models import Unit

from ..models import Case, CaseAttachment
from .common import (
    NEWSROOM,
    contact_name,
    contact_phone,
    holds_case,
    is_newsroom,
    own_case,
    staff_case,
)


def _log(viewer, case: Case, what: str, reason: str) -> None:
    from rongmei.accounts.models import PersonalDataAccess

    PersonalDataAccess.objects.create(viewer=viewer, subject_id=case.user_id, what=what,
                                      reason=f"问政{case.receipt_no}：{reason}"[:120])


def _subject_unit_blocked(viewer, case: Case) -> bool:
    """The complainant is never revealed to the party complained about: anyone who may act
    in the 被反映单位 (from above it) or in a unit inside it."""
    if case.subject_unit_id is None or is_newsroom(viewer):
        return False
    subject = case.subject_unit
    roles = (UNIT_HANDLER, GRID_LEADER)
    return (can_act_in_unit(viewer, subject, *roles)
            or Unit.get_tree(subject).filter(pk__in=unit_scope(viewer, *roles)).exists())


def _check_unit_holds(viewer, case: Case, message: str) -> None:
    if not holds_case(viewer, case):
        raise PermissionDeniedError(message)
    if _subject_unit_blocked(viewer, case):
        raise PermissionDeniedError("反映人信息对被反映单位保密")


def contact_view(*, viewer, case_id, reveal: bool = False, reason: str = "") -> dict:
    """The citizen's contact details for the newsroom, or for a unit holding a live
    assignment of the case. Masked unless ``reveal`` (to call the citizen); logged either way.
    """
    case = staff_case(viewer, case_id)
    if case.purged_at is not None:
        return {"name": "", "phone": "", "masked": True}
    if not is_newsroom(viewer):
        _check_unit_holds(viewer, case, "只有正在承办的单位可以查看联系方式")
    name = contact_name(case) or (getattr(case.user, "nickname", "") or "")
    phone = contact_phone(case) or (case.user.phone if case.user_id and case.user.phone else "")
    if reveal:
        _log(viewer, case, "问政联系电话", reason.strip() or "联系反映人")
        return {"name": name, "phone": phone, "masked": False}
    _log(viewer, case, "问政联系方式（脱敏）", reason.strip() or "查看问政详情")
    return {"name": mask_name(name), "phone": mask_phone(phone), "masked": True}


def attachment_open(*, viewer, attachment_id):
    """Open a private attachment: the citizen who filed the case, the newsroom, 宣传部 on a
    case it sees, or a unit while it holds the case (not after a return or once done).
    Staff looks are logged."""
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
        if not (is_newsroom(viewer) or has_role(viewer, PROPAGANDA)):
            _check_unit_holds(viewer, case, "只有正在承办的单位可以查看附件")
        _log(viewer, case, "问政附件", "查看群众上传的附件")
    try:
        return attachment, attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise NotFoundError("附件文件不存在") from None
