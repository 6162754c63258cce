"""Printable PDFs of the 舆情内参 and the 转办告知单 (WeasyPrint, Noto CJK fonts).

The fonts come from the system package fonts-noto-cjk (scripts/ensure-system.sh); WeasyPrint
embeds the subset it uses, so the PDF prints the same anywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from rongmei.core.errors import PermissionDeniedError
from rongmei.core.roles import PROPAGANDA
from rongmei.units.access import has_role

from .models import Briefing, TransferNotice
from .services.common import is_newsroom


def _check(viewer) -> None:
    if not (is_newsroom(viewer) or has_role(viewer, PROPAGANDA)):
        raise PermissionDeniedError("只有问政专员和宣传部可以打印内参和告知单")


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    context = {"county": settings.RONGMEI_COUNTY_NAME, "printed_at": timezone.localtime(),
               **context}
    return HTML(string=render_to_string(template, context)).write_pdf()


def briefing_pdf(*, viewer, briefing: Briefing) -> bytes:
    _check(viewer)
    return _pdf("wenzheng/pdf/briefing.html", {"b": briefing, "case": briefing.case})


def notice_pdf(*, viewer, notice: TransferNotice) -> bytes:
    _check(viewer)
    return _pdf("wenzheng/pdf/notice.html", {
        "n": notice, "case": notice.case, "assisting": list(notice.assisting_units.all()),
        "instructions": list(notice.case.instructions.all())})
