"""志愿服务证明 (service certificate) as a PDF: WeasyPrint with the Noto CJK fonts.

Per 民政部《志愿服务记录与证明出具办法》 the certificate states who, which organisations,
when, and how many hours — only hours the organiser (the team's leader) confirmed — and is
issued free of charge.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string

from . import selectors
from .models import Volunteer, star_level


def certificate_context(volunteer: Volunteer, *, start: date | None, end: date | None,
                        issued_on: date) -> dict:
    lines = selectors.certificate_lines(volunteer, start, end)
    by_month: OrderedDict[str, int] = OrderedDict()
    for line in lines:
        key = f"{line.day:%Y年%m月}"
        by_month[key] = by_month.get(key, 0) + line.minutes
    total = sum(line.minutes for line in lines)
    return {
        "volunteer": volunteer, "lines": lines, "start": start, "end": end,
        "issued_on": issued_on, "county": settings.RONGMEI_COUNTY_NAME,
        "months": [(month, minutes / 60) for month, minutes in by_month.items()],
        "total_hours": total / 60, "all_hours": volunteer.total_minutes / 60,
        "stars": star_level(volunteer.total_minutes),
    }


def certificate_pdf(volunteer: Volunteer, *, start: date | None = None,
                    end: date | None = None, issued_on: date) -> bytes:
    from weasyprint import HTML

    html = render_to_string("volunteers/pdf/certificate.html", certificate_context(
        volunteer, start=start, end=end, issued_on=issued_on))
    return HTML(string=html).write_pdf()
