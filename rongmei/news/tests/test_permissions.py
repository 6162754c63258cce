"""Role × unit matrix of the newsroom: who may write, edit, see and publish where."""

import pytest

from rongmei.news import services
from rongmei.news.models import SectionPage

from .conftest import add_article

pytestmark = pytest.mark.django_db


def perms(page, user):
    tester = page.permissions_for_user(user)
    return {
        "add": tester.can_add_subpage(), "edit": tester.can_edit(),
        "publish": tester.can_publish(),
    }


def test_role_by_section_matrix(newsroom):
    p = newsroom.people
    hetang_folder = services.archive_for(newsroom.hetang)
    baishui_folder = services.archive_for(newsroom.baishui)
    center_folder = services.archive_for(newsroom.center)
    hetang_draft = add_article(hetang_folder, user=p.hetang_admin, title="荷塘镇草稿")
    baishui_draft = add_article(baishui_folder, user=p.baishui_admin, title="白水镇草稿")
    center_draft = add_article(center_folder, user=p.reporter, title="中心草稿")

    expected = {
        # (user, page): (add below its folder, edit, publish)
        ("hetang_admin", "hetang"): (True, True, False),
        ("hetang_admin", "baishui"): (False, False, False),
        ("hetang_admin", "center"): (False, False, False),
        ("baishui_admin", "hetang"): (False, False, False),
        ("baishui_admin", "baishui"): (True, True, False),
        ("reporter", "center"): (True, True, False),     # the reporter's own draft
        ("reporter", "hetang"): (True, False, False),    # may write anywhere, edit own only
        ("editor", "hetang"): (True, True, False),
        ("chief", "baishui"): (True, True, False),
        ("director", "hetang"): (True, True, True),
        ("director", "center"): (True, True, True),
        ("resident", "hetang"): (False, False, False),
    }
    drafts = {"hetang": (hetang_folder, hetang_draft), "baishui": (baishui_folder, baishui_draft),
              "center": (center_folder, center_draft)}
    for (who, where), (can_add, can_edit, can_publish) in expected.items():
        user = getattr(p, who)
        folder, draft = drafts[where]
        assert perms(folder, user)["add"] == can_add, (who, where, "add")
        got = perms(draft, user)
        assert (got["edit"], got["publish"]) == (can_edit, can_publish), (who, where, got)


def test_unit_admin_console_shows_only_their_section(newsroom, client):
    p = newsroom.people
    services.archive_for(newsroom.baishui)
    other = add_article(services.archive_for(newsroom.baishui), user=p.baishui_admin,
                        title="白水镇内部草稿")
    client.force_login(p.hetang_admin)
    response = client.get("/admin/news/write/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "荷塘镇" in body and "白水镇" not in body
    assert client.get(f"/admin/pages/{other.pk}/edit/").status_code in (302, 403)
    assert client.get(f"/admin/pages/{newsroom.baishui.pk}/").status_code in (302, 403)
    # Writing in one's own section lands in this month's folder there.
    response = client.get(f"/admin/news/write/?section={newsroom.hetang.pk}&kind=articlepage")
    assert response.status_code == 302
    folder = services.archive_for(newsroom.hetang)
    assert response["Location"] == f"/admin/pages/add/news/articlepage/{folder.pk}/"
    assert client.get(response["Location"]).status_code == 200
    # Another unit's section id is refused.
    response = client.get(f"/admin/news/write/?section={newsroom.baishui.pk}&kind=articlepage")
    assert response.status_code == 404


def test_moving_a_unit_admin_moves_their_rights(newsroom, make_user):
    from rongmei.core import roles
    from rongmei.units.models import UnitMembership

    p = newsroom.people
    membership = UnitMembership.objects.get(user=p.hetang_admin, role=roles.UNIT_ADMIN)
    membership.delete()
    folder = services.archive_for(newsroom.hetang)
    p.hetang_admin = type(p.hetang_admin).objects.get(pk=p.hetang_admin.pk)
    assert not perms(folder, p.hetang_admin)["add"]


def test_permission_checks_of_a_county_editor_stay_cheap(newsroom, county,
                                                         django_assert_max_num_queries):
    """Editors hold rights on 新闻 once; checking many sections costs no query per section."""
    from rongmei.units.models import UnitKind
    from rongmei.units.services import unit_create

    sections = [newsroom.hetang, newsroom.baishui]
    for i in range(30):
        unit = unit_create(parent=county.root, name=f"测试单位{i}", code=f"T-X{i:02d}",
                           kind=UnitKind.DEPARTMENT)
        sections.append(services.ensure_section(unit))
    editor = type(newsroom.people.editor).objects.get(pk=newsroom.people.editor.pk)
    from rongmei.news.admin_views import writable_sections
    with django_assert_max_num_queries(3):
        assert all("add" in s.permissions_for_user(editor).permissions for s in sections)
    with django_assert_max_num_queries(3):
        # and the center's, and the sections the county's other units got when made
        assert len(writable_sections(editor)) == SectionPage.objects.count()
