"""The units screens in the staff console, and the public units API."""

import io

import pytest
from openpyxl import Workbook

from rongmei.units.models import Unit, UnitMembership


@pytest.mark.django_db
def test_unit_admin_sees_only_their_units_in_the_console(client, county, make_user):
    client.force_login(make_user("unit_admin", unit=county.hetang))
    body = client.get("/admin/units/").content.decode()
    assert "荷塘镇" in body and "上塘村" in body
    assert "白水镇" not in body and "县住房和城乡建设局" not in body
    other = client.get(f"/admin/units/edit/{county.baishui.pk}/")
    assert other.status_code in (403, 404, 302)


@pytest.mark.django_db
def test_administrator_creates_a_unit_under_a_parent(client, county, make_user):
    client.force_login(make_user("administrator"))
    response = client.post("/admin/units/new/", {
        "parent": county.hetang.pk, "name": "下塘村", "short_name": "", "code": "T-T01-C02",
        "kind": "community", "contact_phone": "", "address": "", "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    assert Unit.objects.get(code="T-T01-C02").get_parent().code == "T-T01"


@pytest.mark.django_db
def test_duplicate_unit_code_is_a_form_error(client, county, make_user):
    client.force_login(make_user("administrator"))
    response = client.post("/admin/units/new/", {
        "parent": county.root.pk, "name": "重复", "code": "T-T01", "kind": "township",
        "is_active": "on",
    })
    assert response.status_code == 200
    assert Unit.objects.filter(code="T-T01").count() == 1


@pytest.mark.django_db
def test_administrator_moves_a_unit(client, county, make_user):
    client.force_login(make_user("administrator"))
    unit = county.shangtang
    response = client.post(f"/admin/units/edit/{unit.pk}/", {
        "parent": county.baishui.pk, "name": unit.name, "code": unit.code, "kind": unit.kind,
        "is_active": "on",
    })
    assert response.status_code == 302
    assert Unit.objects.get(pk=unit.pk).get_parent().code == "T-T02"


@pytest.mark.django_db
def test_console_excel_import_and_export(client, county, make_user):
    client.force_login(make_user("administrator"))
    export = client.get("/admin/units/export/")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = Workbook()
    workbook.active.append(["单位编码", "单位名称", "简称", "类型", "上级单位编码"])
    workbook.active.append(["T-S01", "测试县第一中学", "一中", "学校", "T"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "units.xlsx"
    buffer.seek(0)
    response = client.post("/admin/units/import/", {"file": buffer})
    assert response.status_code == 302
    assert Unit.objects.get(code="T-S01").get_parent().code == "T"
    wrong = io.BytesIO(b"hello")
    wrong.name = "units.csv"
    page = client.post("/admin/units/import/", {"file": wrong})
    assert page.status_code == 200 and ".xlsx" in page.content.decode()


@pytest.mark.django_db
def test_unit_admin_cannot_import(client, county, make_user):
    client.force_login(make_user("unit_admin", unit=county.hetang))
    assert client.get("/admin/units/import/").status_code == 302


@pytest.mark.django_db
def test_administrator_adds_a_person_to_a_unit_by_phone(client, county, make_user):
    client.force_login(make_user("administrator"))
    response = client.post("/admin/unit_memberships/new/", {
        "phone": "13955556666", "name": "赵三长", "unit": county.shangtang.pk,
        "role": "grid_leader", "title": "网格员",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    membership = UnitMembership.objects.get(user__phone="13955556666")
    assert membership.unit == county.shangtang and membership.user.name == "赵三长"


@pytest.mark.django_db
def test_units_api_lists_the_tree(client, county):
    units = client.get("/api/v1/units").json()
    by_code = {u["code"]: u for u in units}
    assert by_code["T-T01-C01"]["parent_id"] == county.hetang.pk
    assert by_code["T"]["parent_id"] is None and by_code["T"]["depth"] == 1
    towns = client.get("/api/v1/units?kind=township").json()
    assert {u["code"] for u in towns} == {"T-T01", "T-T02"}
    bad = client.get("/api/v1/units?kind=planet")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


@pytest.mark.django_db
def test_administrator_edits_a_membership_title(client, county, make_user):
    grid = make_user("grid_leader", unit=county.shangtang)
    membership = UnitMembership.objects.get(user=grid)
    client.force_login(make_user("administrator"))
    response = client.post(f"/admin/unit_memberships/edit/{membership.pk}/", {
        "unit": county.shangtang.pk, "role": "grid_leader", "title": "片区长", "name": "",
    })
    assert response.status_code == 302, response.content.decode()[:1500]
    membership.refresh_from_db()
    assert membership.title == "片区长" and membership.user == grid
