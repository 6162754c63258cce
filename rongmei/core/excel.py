"""Excel (.xlsx) workbooks for exports: a bold header row, optional preamble lines above it
(title, totals), number formats per column, frozen header, readable column widths."""

from __future__ import annotations

import io

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def workbook_bytes(title: str, header: tuple[str, ...], rows, *, preamble: list[tuple] = (),
                   money_columns: tuple[int, ...] = (),
                   time_columns: tuple[int, ...] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for line in preamble:
        sheet.append(list(line))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    if preamble:
        sheet.append([])
    sheet.append(list(header))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for index in money_columns:
            sheet.cell(row=sheet.max_row, column=index + 1).number_format = MONEY_FORMAT
        for index in time_columns:
            sheet.cell(row=sheet.max_row, column=index + 1).number_format = TIME_FORMAT
    for index, name in enumerate(header, start=1):
        letter = sheet.cell(row=header_row, column=index).column_letter
        sheet.column_dimensions[letter].width = max(len(name) * 2 + 4, 14)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
