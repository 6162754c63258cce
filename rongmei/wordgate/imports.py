"""Importing dictionary entries from a text file or an Excel workbook, and exporting them.

Text files (UTF-8, with or without BOM, or GB18030 as Windows Notepad saves it), one entry a
line; blank lines and lines starting with ``#`` are skipped::

    赌博网站                 a sensitive word, level 禁用
    高利贷<TAB>提醒          a sensitive word with its level
    按装=>安装               a typo and its right form, level 提醒
    按装=>安装<TAB>禁用      … with a level; a third column is the note

Excel (.xlsx): the first sheet, a header row with 词语 and optionally 级别, 类型, 建议, 备注,
启用 (what the export writes, so an export can be edited and imported again).

All or nothing: every row is checked first and any problem is reported as
``第N行：…`` with nothing saved. Rows that normalise to the same word are merged (the
stricter level wins; different right forms for one typo are an error). Words already in the
dictionary are updated (and reactivated unless 启用 says 否; an empty 备注 keeps the note);
the version is bumped once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core.errors import ServiceError

from .access import check_manager
from .dictionary import dictionary_changed
from .models import Kind, Level, WordEntry
from .services import validate_entry

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ERRORS_SHOWN = 50

LEVEL_LABELS = {
    "block": Level.BLOCK, "禁用": Level.BLOCK, "禁止": Level.BLOCK, "阻止": Level.BLOCK,
    "拦截": Level.BLOCK, "屏蔽": Level.BLOCK, Level.BLOCK.label: Level.BLOCK,
    "review": Level.REVIEW, "提醒": Level.REVIEW, "核对": Level.REVIEW, "警示": Level.REVIEW,
    "复核": Level.REVIEW, "审核": Level.REVIEW, Level.REVIEW.label: Level.REVIEW,
}
KIND_LABELS = {
    "sensitive": Kind.SENSITIVE, "敏感词": Kind.SENSITIVE, "敏感": Kind.SENSITIVE,
    "typo": Kind.TYPO, "错别字": Kind.TYPO, "错字": Kind.TYPO,
}
SHORT_LEVEL = {Level.BLOCK: "禁用", Level.REVIEW: "提醒"}
EXCEL_COLUMNS = ("词语", "级别", "类型", "建议", "备注", "启用")
_SEVERITY = {Level.BLOCK: 2, Level.REVIEW: 1}


@dataclass
class ImportRow:
    row: int  # line or row number in the file, for messages
    word: str
    level: str = ""  # "" = the default for the kind
    kind: str = ""  # "" = typo when a suggestion is given, else sensitive
    suggestion: str = ""
    note: str = ""
    active: bool = True


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0  # rows folded into an earlier row of the same file
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def message(self) -> str:
        if self.errors:
            return f"导入失败，未保存任何词条：共{len(self.errors)}处错误"
        parts = [f"新增{self.created}条", f"更新{self.updated}条", f"未变{self.unchanged}条"]
        if self.merged:
            parts.append(f"文件内重复合并{self.merged}条")
        return "导入完成：" + "，".join(parts)


# -- parsing -------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError("invalid_file", "无法识别文件编码，请保存为 UTF-8 文本文件", field="file")


def _level(label: str, row: int, errors: list[str]) -> str:
    label = (label or "").strip()
    if not label:
        return ""
    level = LEVEL_LABELS.get(label) or LEVEL_LABELS.get(label.lower())
    if level is None:
        errors.append(f"第{row}行：级别“{label}”无效，可填“禁用”或“提醒”")
        return ""
    return level


def parse_text(data: bytes) -> tuple[list[ImportRow], list[str]]:
    rows, errors = [], []
    for number, line in enumerate(_decode(data).splitlines(), start=1):
        line = line.strip("\ufeff\r\n ")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        entry, level_label = columns[0].strip(), columns[1] if len(columns) > 1 else ""
        note = "\t".join(columns[2:]).strip()
        suggestion = ""
        if "=>" in entry:
            entry, suggestion = (part.strip() for part in entry.split("=>", 1))
            if not suggestion:
                errors.append(f"第{number}行：“=>”后面要写正确写法")
                continue
        rows.append(ImportRow(row=number, word=entry,
                              level=_level(level_label, number, errors),
                              kind=Kind.TYPO if suggestion else Kind.SENSITIVE,
                              suggestion=suggestion, note=note))
    return rows, errors


def parse_xlsx(data: bytes) -> tuple[list[ImportRow], list[str]]:
    from rongmei.core.excel import read_sheet

    workbook, header, lines, value = read_sheet(data, EXCEL_COLUMNS, field="file")
    try:
        if "词语" not in header:
            raise ServiceError("invalid_excel", "表头缺少“词语”列（可选列：级别、类型、建议、备注、启用）",
                               field="file")

        rows, errors = [], []
        for number, line in enumerate(lines, start=2):
            if not any(c not in (None, "") for c in line):
                continue
            kind_label = value(line, "类型")
            kind = KIND_LABELS.get(kind_label) or KIND_LABELS.get(kind_label.lower(), "")
            if kind_label and not kind:
                errors.append(f"第{number}行：类型“{kind_label}”无效，可填“敏感词”或“错别字”")
                continue
            rows.append(ImportRow(
                row=number, word=value(line, "词语"),
                level=_level(value(line, "级别"), number, errors), kind=kind,
                suggestion=value(line, "建议"), note=value(line, "备注"),
                active=value(line, "启用") not in ("否", "停用", "0", "FALSE", "False", "false")))
            if len(rows) > MAX_ROWS:
                break
        return rows, errors
    finally:
        workbook.close()


# -- validating and saving -----------------------------------------------------------------

def _clean_rows(rows: list[ImportRow], errors: list[str], summary: ImportSummary) -> dict:
    """Validate every row and merge duplicates; returns {normalized: fields}."""
    merged: dict[str, dict] = {}
    for item in rows:
        kind = item.kind or (Kind.TYPO if item.suggestion else Kind.SENSITIVE)
        level = item.level or (Level.REVIEW if kind == Kind.TYPO else Level.BLOCK)
        try:
            fields = validate_entry(word=item.word, level=level, kind=kind,
                                    suggestion=item.suggestion, note=item.note)
        except ServiceError as exc:
            errors.append(f"第{item.row}行：{exc.message}")
            continue
        fields["is_active"] = item.active
        fields["row"] = item.row
        earlier = merged.get(fields["normalized"])
        if earlier is None:
            merged[fields["normalized"]] = fields
            continue
        if earlier["kind"] != fields["kind"] or earlier["suggestion"] != fields["suggestion"]:
            errors.append(f"第{item.row}行：“{fields['word']}”与第{earlier['row']}行重复，"
                          "但类型或正确写法不同，请只保留一行")
            continue
        summary.merged += 1
        if _SEVERITY[fields["level"]] > _SEVERITY[earlier["level"]]:
            earlier["level"] = fields["level"]
        earlier["note"] = earlier["note"] or fields["note"]
        earlier["is_active"] = earlier["is_active"] or fields["is_active"]
    return merged


def words_import(*, actor, data: bytes, filename: str) -> ImportSummary:
    """Import a .txt or .xlsx dictionary file (see the module docstring). Nothing is saved
    when any row is wrong; ``summary.errors`` then lists the problems (``第N行：…``)."""
    check_manager(actor)
    if not data:
        raise ServiceError("empty_file", "文件是空的", field="file")
    if len(data) > MAX_FILE_BYTES:
        raise ServiceError("file_too_large", "文件不能超过 5 MB", field="file")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows, errors = parse_xlsx(data)
    elif name.endswith((".txt", ".csv", ".tsv")) or "." not in name:
        rows, errors = parse_text(data)
    else:
        raise ServiceError("invalid_file", "只支持纯文本文件（扩展名 txt）或 Excel 表格（XLSX）", field="file")
    if len(rows) > MAX_ROWS:
        raise ServiceError("too_many_rows", f"一次最多导入{MAX_ROWS}条", field="file")
    if not rows and not errors:
        raise ServiceError("empty_file", "文件里没有词条", field="file")
    summary = ImportSummary()
    merged = _clean_rows(rows, errors, summary)
    if errors:
        errors.sort(key=lambda e: int(e[1:e.index("行")]))
        summary.errors = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            summary.errors.append(f"……另有{len(errors) - MAX_ERRORS_SHOWN}处错误未列出")
        return summary

    try:
        _save(merged, actor=actor, summary=summary)
    except IntegrityError:  # another import or edit wrote one of these words meanwhile
        raise ServiceError("import_conflict", "有人同时修改了词库中的相同词条，请重新导入",
                           field="file", status=409) from None
    return summary


def _save(merged: dict, *, actor, summary: ImportSummary) -> None:
    now = timezone.now()
    # An existing entry keeps how it is written; what it does is taken from the file.
    compared = ("level", "kind", "suggestion", "note", "is_active")
    keys = list(merged)
    with transaction.atomic():
        existing = {}
        for start in range(0, len(keys), 500):
            existing.update((e.normalized, e) for e in WordEntry.objects.select_for_update()
                            .filter(normalized__in=keys[start:start + 500]))
        to_create, to_update = [], []
        for normalized, fields in merged.items():
            fields.pop("row")
            entry = existing.get(normalized)
            if entry is not None and not fields["note"]:
                fields["note"] = entry.note  # a bare word list does not wipe notes
            if entry is None:
                to_create.append(WordEntry(created_by=actor, created_at=now, updated_at=now,
                                           **fields))
            elif all(getattr(entry, name) == fields[name] for name in compared):
                summary.unchanged += 1
            else:
                for name in compared:
                    setattr(entry, name, fields[name])
                entry.updated_at = now
                to_update.append(entry)
        WordEntry.objects.bulk_create(to_create, batch_size=2000)
        WordEntry.objects.bulk_update(to_update, (*compared, "updated_at"), batch_size=2000)
        summary.created, summary.updated = len(to_create), len(to_update)
        if to_create or to_update:
            dictionary_changed()


def words_export_xlsx(entries) -> bytes:
    """The entries as an .xlsx in the import layout (columns ``EXCEL_COLUMNS`` + 修改时间)."""
    from django.utils.timezone import localtime

    from rongmei.core.excel import workbook_bytes

    rows = ((e.word, SHORT_LEVEL[e.level], e.get_kind_display(), e.suggestion, e.note,
             "是" if e.is_active else "否", localtime(e.updated_at).replace(tzinfo=None))
            for e in entries.iterator(chunk_size=2000))
    return workbook_bytes("敏感词库", (*EXCEL_COLUMNS, "修改时间"), rows, time_columns=(6,))
