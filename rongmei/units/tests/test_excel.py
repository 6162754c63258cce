"""Units and their people from Excel: all or nothing, every problem named by row."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from rongmei.core.errors import PermissionDeniedError, ServiceError
from rongmei.units import services
from rongmei.units.models import Unit, UnitMembership

HEADER = list(services.UNIT_COLUMNS)


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


@pytest.mark.django_db
def test_import_creates_a_tree_even_when_children_come_first(admin):
    data = xlsx([
        ["X-T01-C01", "上塘村", "", "社区/村", "X-T01", "", "", "是"],
        ["X", "示范县", "", "县（根）", "", "0797-1234567", "", "是"],
        ["X-T01", "荷塘镇", "荷塘", "乡镇", "X", "", "荷塘街1号", "是"],
        ["X-D01", "县教育体育局", "教体局", "县直部门", "X", "", "", "否"],
    ])
    report = services.units_import_excel(actor=admin, data=data)
    assert report.ok and report.created == 4 and report.updated == 0
    village = Unit.objects.get(code="X-T01-C01")
    assert village.get_parent().code == "X-T01"
    assert village.get_parent().get_parent().code == "X"
    assert not Unit.objects.get(code="X-D01").is_active


@pytest.mark.django_db
def test_import_reports_every_bad_row_and_writes_nothing(admin):
    data = xlsx([
        ["X", "示范县", "", "县（根）", "", "", "", ""],
        ["", "无编码单位", "", "乡镇", "X", "", "", ""],
        ["X-1", "", "", "火星", "X", "", "", ""],
        ["X-2", "孤儿单位", "", "学校", "NOPE", "", "", ""],
        ["X", "重复", "", "乡镇", "", "", "", ""],
    ])
    report = services.units_import_excel(actor=admin, data=data)
    assert not report.ok
    text = "\n".join(report.errors)
    assert "第3行：单位编码不能为空" in text
    assert "第4行：单位名称不能为空" in text and "类型“火星”无效" in text
    assert "第6行：单位编码 X 重复" in text
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_import_reports_missing_parents(admin):
    report = services.units_import_excel(actor=admin, data=xlsx([
        ["X-2", "孤儿单位", "", "学校", "NOPE", "", "", ""]]))
    assert report.errors == ["第2行：上级单位编码 NOPE 不存在"]
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_import_updates_and_moves_existing_units(admin, county):
    data = xlsx([["T-T01-C01", "上塘新村", "", "社区/村", "T-T02", "", "", "是"]])
    report = services.units_import_excel(actor=admin, data=data)
    assert report.ok and report.updated == 1
    village = Unit.objects.get(code="T-T01-C01")
    assert village.name == "上塘新村" and village.get_parent().code == "T-T02"


@pytest.mark.django_db
def test_import_refuses_moving_a_unit_under_its_own_child(admin, county):
    data = xlsx([["T-T01", "荷塘镇", "", "乡镇", "T-T01-C01", "", "", "是"]])
    report = services.units_import_excel(actor=admin, data=data)
    assert not report.ok and "下级" in report.errors[0]
    assert Unit.objects.get(code="T-T01").get_parent().code == "T"


@pytest.mark.django_db
def test_not_an_excel_file_is_explained(admin):
    with pytest.raises(ServiceError) as exc:
        services.units_import_excel(actor=admin, data=b"PK\x03\x04 not really")
    assert "xlsx" in exc.value.message


@pytest.mark.django_db
def test_missing_columns_are_named(admin):
    with pytest.raises(ServiceError) as exc:
        services.units_import_excel(actor=admin, data=xlsx([], header=["单位名称"]))
    assert "单位编码" in exc.value.message


@pytest.mark.django_db
def test_only_administrators_import(make_user, county):
    with pytest.raises(PermissionDeniedError):
        services.units_import_excel(actor=make_user("unit_admin", unit=county.hetang),
                                    data=xlsx([]))


@pytest.mark.django_db
def test_export_round_trips_through_import(admin, county):
    data = services.units_export_excel(actor=admin)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["T-T01-C01"][4] == "T-T01" and by_code["T-T01-C01"][3] == "社区/村"
    report = services.units_import_excel(actor=admin, data=data)
    assert report.ok and report.created == 0 and report.updated == len(rows) - 1


@pytest.mark.django_db
def test_unit_admin_exports_only_their_part_of_the_tree(make_user, county):
    data = services.units_export_excel(actor=make_user("unit_admin", unit=county.hetang))
    codes = {r[0] for r in list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]}
    assert codes == {"T-T01", "T-T01-C01"}


@pytest.mark.django_db
def test_members_import_creates_accounts_with_unit_roles(admin, county):
    data = xlsx([
        ["13911112222", "刘网格", "T-T01-C01", "三长", "网格长"],
        ["139 1111 3333", "陈办理", "T-D01", "责任单位办理员", ""],
    ], header=list(services.MEMBER_COLUMNS))
    report = services.members_import_excel(actor=admin, data=data)
    assert report.ok and report.created == 2
    grid = UnitMembership.objects.get(user__phone="13911112222")
    assert grid.role == "grid_leader" and grid.unit.code == "T-T01-C01" and grid.title == "网格长"
    assert grid.user.groups.filter(name="三长").exists()


@pytest.mark.django_db
def test_members_import_rejects_bad_rows(admin, county):
    data = xlsx([["123", "某人", "NOPE", "总统", ""]], header=list(services.MEMBER_COLUMNS))
    report = services.members_import_excel(actor=admin, data=data)
    assert not report.ok
    assert "手机号“123”无效" in report.errors[0] and "单位编码 NOPE 不存在" in report.errors[0]
    assert "角色“总统”无效" in report.errors[0]
