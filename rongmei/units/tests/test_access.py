"""Role × unit isolation, as a matrix: who may act where."""

import pytest

from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.core.roles import (
    ADMINISTRATOR,
    EDITOR,
    GRID_LEADER,
    OPERATOR,
    RESIDENT,
    ROLES,
    UNIT_ADMIN,
    UNIT_HANDLER,
)
from rongmei.units import access


@pytest.fixture
def people(county, make_user):
    return {
        "hetang_admin": make_user(UNIT_ADMIN, unit=county.hetang),
        "baishui_admin": make_user(UNIT_ADMIN, unit=county.baishui),
        "housing_handler": make_user(UNIT_HANDLER, unit=county.housing),
        "shangtang_grid": make_user(GRID_LEADER, unit=county.shangtang),
        "editor": make_user(EDITOR),
        "administrator": make_user(ADMINISTRATOR),
        "resident": make_user(),
    }


# (person, unit, role asked for) -> allowed?
MATRIX = [
    ("hetang_admin", "hetang", UNIT_ADMIN, True),
    ("hetang_admin", "shangtang", UNIT_ADMIN, True),      # below their unit
    ("hetang_admin", "baishui", UNIT_ADMIN, False),       # a sibling township
    ("hetang_admin", "root", UNIT_ADMIN, False),          # never upward
    ("hetang_admin", "hetang", UNIT_HANDLER, False),      # a role they do not hold
    ("baishui_admin", "hetang", UNIT_ADMIN, False),
    ("baishui_admin", "baishui", UNIT_ADMIN, True),
    ("housing_handler", "housing", UNIT_HANDLER, True),
    ("housing_handler", "hetang", UNIT_HANDLER, False),
    ("housing_handler", "housing", UNIT_ADMIN, False),
    ("shangtang_grid", "shangtang", GRID_LEADER, True),
    ("shangtang_grid", "hetang", GRID_LEADER, False),
    ("editor", "hetang", UNIT_ADMIN, False),              # county roles have no unit scope
    ("resident", "hetang", UNIT_ADMIN, False),
    ("administrator", "hetang", UNIT_ADMIN, True),        # administrators act everywhere
    ("administrator", "root", GRID_LEADER, True),
]


@pytest.mark.django_db
@pytest.mark.parametrize("person,unit,role,allowed", MATRIX)
def test_unit_access_matrix(people, county, person, unit, role, allowed):
    user = people[person]
    target = getattr(county, unit)
    assert access.can_act_in_unit(user, target, role) is allowed
    if allowed:
        assert access.access_unit(user, target.pk, role) == target
        assert access.unit_scope(user, role).filter(pk=target.pk).exists()
    else:
        with pytest.raises(PermissionDeniedError) as exc:
            access.access_unit(user, target.pk, role)
        assert target.name in exc.value.message
        assert not access.unit_scope(user, role).filter(pk=target.pk).exists()


@pytest.mark.django_db
def test_access_unit_reports_a_missing_unit(people):
    with pytest.raises(NotFoundError):
        access.access_unit(people["administrator"], 999999, UNIT_ADMIN)


@pytest.mark.django_db
def test_role_checks(people):
    assert access.user_roles(people["resident"]) == {RESIDENT}
    assert access.has_role(people["editor"], EDITOR)
    assert not access.has_role(people["editor"], OPERATOR)
    with pytest.raises(PermissionDeniedError) as exc:
        access.check_role(people["editor"], OPERATOR)
    assert exc.value.message == "此操作仅限运营"
    assert access.has_role(people["administrator"], OPERATOR, EDITOR)


def test_anonymous_holds_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert access.user_roles(AnonymousUser()) == frozenset()
    assert not access.has_role(AnonymousUser(), RESIDENT)


@pytest.mark.django_db
def test_scope_costs_a_fixed_number_of_queries_however_many_units(county, make_user,
                                                                  django_assert_max_num_queries):
    from rongmei.units.models import UnitKind
    from rongmei.units.services import membership_add, unit_create

    editor = make_user(UNIT_ADMIN)
    for i in range(80):
        unit = unit_create(parent=county.root, name=f"单位{i}", code=f"T-X{i:02d}",
                           kind=UnitKind.DEPARTMENT)
        membership_add(unit=unit, user=editor, role=UNIT_ADMIN)
    fresh = type(editor).objects.get(pk=editor.pk)
    with django_assert_max_num_queries(2):
        for unit in [county.hetang, county.baishui, county.housing] * 20:
            access.can_act_in_unit(fresh, unit, UNIT_ADMIN)


@pytest.mark.django_db
def test_every_role_exists_as_a_group_after_migrate():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {role.name for role in ROLES} <= names


@pytest.mark.django_db
def test_console_roles_may_enter_the_console_and_others_may_not(make_user):
    for role in ROLES:
        user = make_user(role.code)
        assert user.has_perm("wagtailadmin.access_admin") is role.console, role.code
