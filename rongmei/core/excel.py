"""Excel (.xlsx) workbooks for exports: a bold header row, optional preamble lines above it
(title, totals), number formats per column, frozen header, readable column widths.

Text is always written as text: openpyxl stores a string beginning with ``=`` as a formula,
so a resident who types ``=HYPERLINK(…)`` as their name would otherwise plant a live formula
in the operator's export (CSV/formula injection). Every cell of text gets type ``s``."""

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
        _append_as_text(sheet, line)
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    if preamble:
        sheet.append([])
    sheet.append(list(header))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        _append_as_text(sheet, row)
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


def _append_as_text(sheet, values) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def read_sheet(data: bytes, columns, *, field: str | None = None):
    """Open the first sheet of an uploaded .xlsx: ``(workbook, header, rows, value)``.

    ``rows`` iterates the data rows (values only) after the header row; ``value(row, name)``
    is the cell under column ``name`` (one of ``columns``) as stripped text, "" when empty,
    with whole floats shown as integers. A file openpyxl cannot read raises ``invalid_excel``.
    The caller closes ``workbook`` when done and checks which columns it requires.
    """
    import io

    from openpyxl import load_workbook

    from .errors import ServiceError

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ServiceError("invalid_excel", "无法读取该文件，请上传 .xlsx 格式的 Excel 表格",
                           field=field) from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    index = {name: header.index(name) for name in columns if name in header}

    def value(row, name):
        i = index.get(name)
        if i is None or i >= len(row) or row[i] is None:
            return ""
        cell = row[i]
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        return str(cell).strip()

    return workbook, header, rows, value
