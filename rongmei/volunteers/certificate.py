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


def _hours(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}"


def apportion(minutes: list[int]) -> tuple[list[int], int]:
    """Rows of minutes in tenths of an hour that add up to the total.

    The minutes are summed first and the total rounded once (half up, 6 minutes = 0.1 h);
    each row gets its whole tenths and the tenths left over go to the rows with the largest
    remainders (earlier rows first on a tie) — so the rows shown always add up to the total
    shown, and the total is the exact sum of the minutes rounded to 0.1 h.
    """
    total = sum(minutes)
    total_tenths = (total + 3) // 6
    rows = [m // 6 for m in minutes]
    left = total_tenths - sum(rows)
    by_remainder = sorted(range(len(minutes)), key=lambda i: (-(minutes[i] % 6), i))
    for i in by_remainder[:left]:
        rows[i] += 1
    return rows, total_tenths


def certificate_context(volunteer: Volunteer, *, start: date | None, end: date | None,
                        issued_on: date) -> dict:
    lines = selectors.certificate_lines(volunteer, start, end)
    by_month: OrderedDict[str, int] = OrderedDict()
    for line in lines:
        key = f"{line.day:%Y年%m月}"
        by_month[key] = by_month.get(key, 0) + line.minutes
    line_tenths, total_tenths = apportion([line.minutes for line in lines])
    month_tenths, _ = apportion(list(by_month.values()))
    return {
        "volunteer": volunteer, "name": volunteer.certified_name,
        "lines": [(line, _hours(t)) for line, t in zip(lines, line_tenths, strict=True)],
        "start": start, "end": end,
        "issued_on": issued_on, "county": settings.RONGMEI_COUNTY_NAME,
        "months": [(month, minutes, _hours(t)) for (month, minutes), t
                   in zip(by_month.items(), month_tenths, strict=True)],
        "total_minutes": sum(line.minutes for line in lines),
        "total_hours": _hours(total_tenths),
        "all_hours": _hours(apportion([volunteer.total_minutes])[1]),
        "stars": star_level(volunteer.total_minutes),
    }


def certificate_pdf(volunteer: Volunteer, *, start: date | None = None,
                    end: date | None = None, issued_on: date) -> bytes:
    from weasyprint import HTML

    html = render_to_string("volunteers/pdf/certificate.html", certificate_context(
        volunteer, start=start, end=end, issued_on=issued_on))
    return HTML(string=html).write_pdf()
