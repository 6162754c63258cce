"""Write paths for units: create, move, memberships, Excel import."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from rongmei.core.errors import ServiceError
from rongmei.core.excel import workbook_bytes
from rongmei.core.roles import ADMINISTRATOR, ROLE_BY_CODE, ROLE_BY_NAME

from .access import check_role, forget_cached_access
from .models import UNIT_ROLE_CHOICES, Unit, UnitKind, UnitMembership
from .selectors import parents_of

KIND_BY_LABEL = {label: value for value, label in UnitKind.choices}
KIND_BY_LABEL.update({"县": UnitKind.COUNTY, "社区": UnitKind.COMMUNITY,
                      "村": UnitKind.COMMUNITY})
UNIT_ROLE_CODES = {code for code, _ in UNIT_ROLE_CHOICES}

UNIT_COLUMNS = ("单位编码", "单位名称", "简称", "类型", "上级单位编码", "联系电话", "地址", "启用")
MEMBER_COLUMNS = ("手机号", "姓名", "单位编码", "角色", "职务")


def unit_create(*, parent: Unit | None, name: str, code: str, kind: str,
                short_name: str = "", contact_phone: str = "", address: str = "",
                is_active: bool = True) -> Unit:
    unit = Unit(name=name, code=code, kind=kind, short_name=short_name,
                contact_phone=contact_phone, address=address, is_active=is_active)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Unit.add_root(instance=unit)
    return parent.add_child(instance=unit)


def membership_add(*, unit: Unit, user, role: str, title: str = "") -> UnitMembership:
    from django.contrib.auth.models import Group

    if role not in UNIT_ROLE_CODES:
        raise ServiceError("invalid_role", "该角色不按单位划分", field="role")
    membership, _ = UnitMembership.objects.update_or_create(
        unit=unit, user=user, role=role, defaults={"title": title}
    )
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE[role].name))
    if ROLE_BY_CODE[role].console and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_cached_access(user)
    return membership


# --- Excel ---------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowError(Exception):
    pass


def _open_sheet(data: bytes, expected: tuple[str, ...]):
    from rongmei.core.excel import read_sheet

    _workbook, header, rows, value = read_sheet(data, expected)
    missing = [c for c in expected if c not in header and c not in ("简称", "联系电话", "地址",
                                                                     "启用", "职务")]
    if missing:
        raise ServiceError("invalid_excel", "表头缺少列：" + "、".join(missing))
    return rows, value


def units_import_excel(*, actor, data: bytes) -> ImportReport:
    """Create or update units from the first sheet of an .xlsx file (columns UNIT_COLUMNS).

    All or nothing: if any row is wrong, nothing is written and every problem is reported
    with its row number. Parents may appear after their children in the file.
    """
    check_role(actor, ADMINISTRATOR)
    rows, value = _open_sheet(data, UNIT_COLUMNS)
    report = ImportReport()
    parsed = []
    seen = set()
    for number, row in enumerate(rows, start=2):
        if not any(c not in (None, "") for c in row):
            continue
        code, name = value(row, "单位编码"), value(row, "单位名称")
        kind_label = value(row, "类型")
        problems = []
        if not code:
            problems.append("单位编码不能为空")
        elif code in seen:
            problems.append(f"单位编码 {code} 重复")
        if not name:
            problems.append("单位名称不能为空")
        kind = KIND_BY_LABEL.get(kind_label) or (kind_label if kind_label in UnitKind.values
                                                 else None)
        if not kind:
            problems.append(f"类型“{kind_label}”无效，可填：" + "、".join(UnitKind.labels))
        active = value(row, "启用") not in ("否", "停用", "0", "FALSE", "False")
        if problems:
            report.errors.append(f"第{number}行：" + "；".join(problems))
            continue
        seen.add(code)
        parsed.append({"row": number, "code": code, "name": name, "kind": kind,
                       "short_name": value(row, "简称"), "parent": value(row, "上级单位编码"),
                       "contact_phone": value(row, "联系电话"), "address": value(row, "地址"),
                       "is_active": active})
    if report.errors:
        return report

    existing = {u.code: u for u in Unit.objects.all()}
    known = set(existing) | {p["code"] for p in parsed}
    for item in parsed:
        if item["parent"] and item["parent"] not in known:
            report.errors.append(f"第{item['row']}行：上级单位编码 {item['parent']} 不存在")
        if item["parent"] == item["code"]:
            report.errors.append(f"第{item['row']}行：上级单位不能是自己")
    if report.errors:
        return report

    try:
        with transaction.atomic():
            pending = list(parsed)
            while pending:
                progressed = False
                for item in list(pending):
                    parent_code = item["parent"]
                    if parent_code and parent_code not in existing:
                        continue  # its parent is later in the file
                    _upsert_unit(item, existing, report)
                    pending.remove(item)
                    progressed = True
                if not progressed:
                    rows_text = "、".join(str(i["row"]) for i in pending)
                    raise _RowError(f"第{rows_text}行：上级单位形成了循环")
    except (_RowError, ValidationError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return ImportReport(errors=[message])
    return report


def _upsert_unit(item: dict, existing: dict, report: ImportReport) -> None:
    parent = existing.get(item["parent"]) if item["parent"] else None
    fields = {k: item[k] for k in ("name", "kind", "short_name", "contact_phone", "address",
                                   "is_active")}
    unit = existing.get(item["code"])
    if unit is None:
        try:
            unit = unit_create(parent=parent, code=item["code"], **fields)
        except ValidationError as exc:
            raise _RowError(f"第{item['row']}行：{exc.messages[0]}") from None
        existing[item["code"]] = unit
        report.created += 1
        return
    for key, val in fields.items():
        setattr(unit, key, val)
    unit.save()
    current_parent = unit.get_parent()
    if parent is not None and (current_parent is None or current_parent.pk != parent.pk):
        if parent.path.startswith(unit.path):
            raise _RowError(f"第{item['row']}行：不能把单位移到它自己的下级单位之下")
        unit.move(parent, pos="last-child")
        for code, other in existing.items():  # paths below the moved unit changed
            existing[code] = Unit.objects.get(pk=other.pk)
    report.updated += 1


def members_import_excel(*, actor, data: bytes) -> ImportReport:
    """Create staff accounts and their unit roles from an .xlsx file (MEMBER_COLUMNS)."""
    from rongmei.accounts.models import User
    from rongmei.accounts.validators import normalize_phone

    check_role(actor, ADMINISTRATOR)
    rows, value = _open_sheet(data, MEMBER_COLUMNS)
    units = {u.code: u for u in Unit.objects.all()}
    report = ImportReport()
    parsed = []
    for number, row in enumerate(rows, start=2):
        if not any(c not in (None, "") for c in row):
            continue
        problems = []
        try:
            phone = normalize_phone(value(row, "手机号"))
        except ValidationError:
            phone = None
            problems.append(f"手机号“{value(row, '手机号')}”无效")
        unit = units.get(value(row, "单位编码"))
        if unit is None:
            problems.append(f"单位编码 {value(row, '单位编码')} 不存在")
        role_label = value(row, "角色")
        role = ROLE_BY_NAME.get(role_label)
        if role is None or role.code not in UNIT_ROLE_CODES:
            choices = "、".join(label for _, label in UNIT_ROLE_CHOICES)
            problems.append(f"角色“{role_label}”无效，可填：{choices}")
        if problems:
            report.errors.append(f"第{number}行：" + "；".join(problems))
            continue
        parsed.append((phone, value(row, "姓名"), unit, role.code, value(row, "职务")))
    if report.errors:
        return report
    with transaction.atomic():
        for phone, name, unit, role, title in parsed:
            user, created = User.objects.get_or_create(phone=phone, defaults={"name": name})
            if not created and name and not user.name:
                user.name = name
                user.save(update_fields=["name"])
            report.created += int(created)
            report.updated += int(not created)
            membership_add(unit=unit, user=user, role=role, title=title)
    return report


def units_export_excel(*, actor) -> bytes:
    """Units in the import format, so an export can be edited and imported back.

    County-wide roles get every unit; a unit admin gets their own part of the tree.
    """
    from rongmei.core.roles import OPERATOR, PROPAGANDA, UNIT_ADMIN, WENZHENG_HANDLER

    from .access import has_role, unit_scope

    county_wide = (ADMINISTRATOR, OPERATOR, WENZHENG_HANDLER, PROPAGANDA)
    check_role(actor, *county_wide, UNIT_ADMIN)
    units = Unit.objects.all() if has_role(actor, *county_wide) else unit_scope(actor, UNIT_ADMIN)
    units = list(units.order_by("path"))
    parents = parents_of(units)
    rows = []
    for unit in units:
        parent = parents[unit.pk]
        rows.append((unit.code, unit.name, unit.short_name, unit.get_kind_display(),
                     parent.code if parent else "", unit.contact_phone, unit.address,
                     "是" if unit.is_active else "否"))
    return workbook_bytes("单位", UNIT_COLUMNS, rows)
