"""分端 without the demo seed: a unit made in the console or by Excel gets its section and its
admins their rights; deactivating the unit revokes them; nobody re-points or moves a section;
写稿 stays usable with 80+ units."""

import io

import pytest
from openpyxl import Workbook

from rongmei.core import roles
from rongmei.news import services
from rongmei.news.models import SectionPage
from rongmei.units.models import Unit

pytestmark = pytest.mark.django_db


def can_add(section, user) -> bool:
    user = type(user).objects.get(pk=user.pk)  # no cached rights
    return "add" in section.permissions_for_user(user).permissions


def test_a_unit_created_in_the_console_gets_its_section_and_its_admin_the_rights(
        newsroom, client, make_user):
    client.force_login(make_user(roles.ADMINISTRATOR))
    response = client.post("/admin/units/new/", {
        "parent": newsroom.county.root.pk, "name": "东湖镇", "short_name": "东湖",
        "code": "T-T09", "kind": "township", "contact_phone": "", "address": "",
        "is_active": "on"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="T-T09")
    section = SectionPage.objects.get(unit=unit)
    admin = make_user(roles.UNIT_ADMIN, unit=unit)
    assert can_add(section, admin)
    assert not can_add(newsroom.hetang, admin)
    client.force_login(admin)
    assert section.title in client.get("/admin/news/write/").content.decode()


def test_units_imported_from_excel_get_sections(newsroom, client, make_user):
    client.force_login(make_user(roles.ADMINISTRATOR))
    workbook = Workbook()
    workbook.active.append(["单位编码", "单位名称", "简称", "类型", "上级单位编码"])
    workbook.active.append(["T-S07", "测试县第七中学", "七中", "学校", "T"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "units.xlsx"
    buffer.seek(0)
    assert client.post("/admin/units/import/", {"file": buffer}).status_code == 302
    assert SectionPage.objects.filter(unit__code="T-S07").exists()


def test_deactivating_a_unit_revokes_its_people_at_once(newsroom, client, make_user):
    people = newsroom.people
    assert can_add(newsroom.hetang, people.hetang_admin)
    unit = newsroom.county.hetang
    client.force_login(make_user(roles.ADMINISTRATOR))
    response = client.post(f"/admin/units/edit/{unit.pk}/", {
        "parent": newsroom.county.root.pk, "name": unit.name, "code": unit.code,
        "kind": unit.kind})  # 启用 unticked
    assert response.status_code == 302, response.content.decode()[:1000]
    assert not can_add(newsroom.hetang, people.hetang_admin)
    client.force_login(people.hetang_admin)
    folder = services.archive_for(newsroom.hetang)
    assert client.get(f"/admin/pages/add/news/articlepage/{folder.pk}/").status_code in (302, 403)
    # Reactivated: the rights come back.
    unit.refresh_from_db()
    unit.is_active = True
    unit.save()
    assert can_add(newsroom.hetang, people.hetang_admin)


def test_a_unit_admin_cannot_re_point_or_move_their_section(newsroom, client):
    people = newsroom.people
    section = newsroom.hetang
    client.force_login(people.hetang_admin)
    url = f"/admin/pages/{section.pk}/edit/"
    response = client.post(url, {"title": section.title, "slug": section.slug, "intro": "",
                                 "unit": newsroom.county.baishui.pk, "comments-TOTAL_FORMS": 0,
                                 "comments-INITIAL_FORMS": 0, "comments-MIN_NUM_FORMS": 0,
                                 "comments-MAX_NUM_FORMS": 1000})
    section.refresh_from_db()
    assert section.unit == newsroom.county.hetang
    response = client.post(f"/admin/pages/{section.pk}/move/{newsroom.index.pk}/confirm/")
    section.refresh_from_db()
    assert section.get_parent().pk == newsroom.index.pk
    assert response.status_code in (302, 403)
    # Nor can a section be made by hand.
    assert not SectionPage.is_creatable


def test_write_lists_own_units_first_with_a_search_box_and_one_kind_menu(
        newsroom, client, make_user):
    from rongmei.units.services import unit_create

    root = newsroom.county.root
    for number in range(81):
        unit_create(parent=root, name=f"第{number:02d}乡", code=f"T-X{number:02d}",
                    kind="township")
    # A county reporter who is also the admin of one township.
    writer = make_user(roles.REPORTER, roles.UNIT_ADMIN, unit=Unit.objects.get(code="T-X42"))
    director = newsroom.people.director
    client.force_login(director)
    body = client.get("/admin/news/write/").content.decode()
    assert 'type="search"' in body and "第80乡" in body
    assert body.count('name="kind"') == 1  # one menu, not a row of buttons per section
    client.force_login(writer)
    body = client.get("/admin/news/write/").content.decode()
    assert "我的单位" in body
    assert body.index("第42乡") < body.index("第00乡")
    client.force_login(director)
    body = client.get("/admin/news/write/?q=第07").content.decode()
    assert "第07乡" in body and "第08乡" not in body
