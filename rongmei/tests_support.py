"""Factories for tests (plain functions; the models are simple enough)."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from django.contrib.auth.models import Group

from rongmei.core.roles import ROLE_BY_CODE, ensure_roles

_phones = itertools.count(13700000000)
PASSWORD = "Test-pass-2026"


def make_user(*roles: str, phone: str | None = None, unit=None, password: str | None = PASSWORD,
              **fields):
    """A user holding ``roles``; unit-scoped roles are held in ``unit``."""
    from rongmei.accounts.models import User
    from rongmei.units.services import membership_add

    ensure_roles()
    user = User.objects.create_user(phone or str(next(_phones)), password=password, **fields)
    for code in roles:
        role = ROLE_BY_CODE[code]
        user.groups.add(Group.objects.get(name=role.name))
        if role.console and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        if role.unit_scoped and unit is not None:
            membership_add(unit=unit, user=user, role=code)
    return user


def build_county():
    from rongmei.units.models import UnitKind
    from rongmei.units.services import unit_create

    root = unit_create(parent=None, name="测试县", code="T", kind=UnitKind.COUNTY)
    center = unit_create(parent=root, name="测试县融媒体中心", code="T-RMT", kind=UnitKind.CENTER)
    hetang = unit_create(parent=root, name="荷塘镇", code="T-T01", kind=UnitKind.TOWNSHIP)
    shangtang = unit_create(parent=hetang, name="上塘村", code="T-T01-C01",
                            kind=UnitKind.COMMUNITY)
    baishui = unit_create(parent=root, name="白水镇", code="T-T02", kind=UnitKind.TOWNSHIP)
    housing = unit_create(parent=root, name="县住房和城乡建设局", code="T-D01",
                          kind=UnitKind.DEPARTMENT)
    return SimpleNamespace(root=root, center=center, hetang=hetang, shangtang=shangtang,
                           baishui=baishui, housing=housing)
