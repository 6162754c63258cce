"""Importing the roster from Excel through the console: bad rows → a Chinese report and
nothing imported; a good file → teams, volunteers, members and leaders."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from rongmei.tests_support import make_user
from rongmei.volunteers.models import Team, TeamMember, Volunteer

HEADER = ["姓名", "手机号", "队伍名称", "队伍所属单位编码", "是否队长", "技能特长", "所在区域编码"]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "roster.xlsx"
    return data


@pytest.mark.django_db
def test_bad_rows_are_reported_in_chinese_and_nothing_is_imported(client, county):
    client.force_login(make_user("operator"))
    response = client.post("/admin/volunteers/import/", {"file": workbook([
        ["张三", "13812345678", "荷塘镇志愿服务队", "T-T01", "是", "医护", "T-T01-C01"],
        ["李", "1381234", "荷塘镇志愿服务队", "", "", "", ""],
        ["王五", "13812345679", "新队", "NOPE", "", "", "ZZZ"],
        ["赵六", "13812345678", "荷塘镇志愿服务队", "", "", "", ""],
    ])})
    assert response.status_code == 200
    errors = response.context["report"].errors
    assert errors == [
        "第3行：姓名须为2至20个字；手机号“1381234”格式不正确",
        "第4行：单位编码“NOPE”不存在；所在区域编码“ZZZ”不存在",
        "第5行：手机号13812345678在队伍“荷塘镇志愿服务队”中重复",
    ]
    assert "导入失败" in response.content.decode()
    assert not Team.objects.exists() and not Volunteer.objects.exists()


@pytest.mark.django_db
def test_a_good_roster_imports_teams_volunteers_and_leaders(client, county):
    client.force_login(make_user("operator"))
    response = client.post("/admin/volunteers/import/", {"file": workbook([
        ["张三", "13812345678", "荷塘镇志愿服务队", "T-T01", "是", "医护", "T-T01-C01"],
        ["李四", "13812345679", "荷塘镇志愿服务队", "", "", "", ""],
        ["王五", "13812345670", "白水镇志愿服务队", "T-T02", "", "", ""],
    ])})
    assert response.status_code == 302
    assert Team.objects.count() == 2 and Volunteer.objects.count() == 3
    leader = TeamMember.objects.get(is_leader=True)
    assert leader.volunteer.real_name == "张三" and leader.status == "active"
    from rongmei.units.access import can_act_in_unit

    assert can_act_in_unit(leader.volunteer.user, county.hetang, "volunteer_leader")


@pytest.mark.django_db
def test_only_operators_import(client, county):
    client.force_login(make_user("editor"))
    response = client.post("/admin/volunteers/import/", {"file": workbook([
        ["张三", "13812345678", "荷塘镇志愿服务队", "T-T01", "", "", ""]])})
    assert response.status_code == 302 and not Team.objects.exists()
