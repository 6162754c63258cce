"""The access module: who may do what, and where. Every staff action calls it.

Every service that acts for a staff member calls one of these at its top (Zulip's
``access_*`` pattern), so a rule is written once:

* ``has_role`` / ``check_role`` — does the user hold any of these roles (from
  ``rongmei.core.access``, re-exported here so capability apps import one module);
* ``unit_scope(user, role)`` — the units (and everything below them) where the user holds
  a unit-scoped role;
* ``access_unit(user, unit, role=...)`` — fetch a unit the user may act on, or raise;
* ``people_with_role(*roles)`` / ``people_acting_in(unit, *roles)`` — the inverse question,
  "who should hear of this": the holders of a county-wide role, or the people who may act in
  a unit through a unit-scoped role (the nearest level of the tree that has any).

Administrators (and superusers) hold every role everywhere. Checks never touch more than
two small queries per request, however many units a person spans: scope is a set of tree
paths, and "is this unit inside" is a prefix test, not a join per unit.
"""

from __future__ import annotations

from typing import Iterable

from rongmei.core.access import (  # noqa: F401 (re-exported: the one access module)
    check_role,
    forget_cached_access,
    has_role,
    is_county_wide,
    user_roles,
)
from rongmei.core.errors import NotFoundError, PermissionDeniedError

from .models import Unit, UnitMembership


def unit_scope_paths(user, *roles: str) -> frozenset[str]:
    """Tree paths of the units where ``user`` holds any of ``roles`` (cached per user)."""
    if not user.is_authenticated:
        return frozenset()
    cache = getattr(user, "_rongmei_unit_paths", None)
    if cache is None:
        cache = {}
        rows = UnitMembership.objects.filter(
            user=user, unit__is_active=True
        ).values_list("role", "unit__path")
        for role, path in rows:
            cache.setdefault(role, set()).add(path)
        user._rongmei_unit_paths = cache
    paths: set[str] = set()
    for role in roles:
        paths |= cache.get(role, set())
    return frozenset(paths)


def _inside(path: str, scope: Iterable[str]) -> bool:
    return any(path.startswith(prefix) for prefix in scope)


def can_act_in_unit(user, unit: Unit, *roles: str) -> bool:
    if is_county_wide(user):
        return True
    if not has_role(user, *roles):
        return False
    return _inside(unit.path, unit_scope_paths(user, *roles))


def unit_scope(user, *roles: str):
    """A queryset of the units where ``user`` may act in any of ``roles``."""
    from django.db.models import Q

    if is_county_wide(user):
        return Unit.objects.all()
    if not has_role(user, *roles):
        return Unit.objects.none()
    paths = unit_scope_paths(user, *roles)
    if not paths:
        return Unit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def access_unit(user, unit_or_id, *roles: str) -> Unit:
    """Return the unit if ``user`` may act there in one of ``roles``; raise otherwise."""
    if isinstance(unit_or_id, Unit):
        unit = unit_or_id
    else:
        unit = Unit.objects.filter(pk=unit_or_id).first()
        if unit is None:
            raise NotFoundError("单位不存在")
    if not can_act_in_unit(user, unit, *roles):
        raise PermissionDeniedError(f"您无权管理“{unit.name}”")
    return unit


def people_with_role(*roles: str):
    """Active users who hold any of ``roles`` (by their role group; superusers excluded, so
    a notice meant for 问政专员 does not go to every administrator)."""
    from django.contrib.auth import get_user_model

    from rongmei.core.roles import ROLE_BY_CODE

    names = [ROLE_BY_CODE[code].name for code in roles]
    return (get_user_model().objects.filter(is_active=True, groups__name__in=names)
            .distinct().order_by("pk"))


def people_acting_in(unit: Unit, *roles: str) -> list:
    """Active users who may act in ``unit`` through one of the unit-scoped ``roles`` — the
    same rule as ``can_act_in_unit``, asked the other way round. A role held at a unit covers
    everything below it, so candidates hold it at ``unit`` or an ancestor; the nearest level
    that has anyone wins (a village's 三长 before the township's)."""
    from rongmei.core.roles import ROLE_BY_CODE

    step = Unit.steplen
    ancestors = [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]
    rows = (UnitMembership.objects
            .filter(unit__path__in=ancestors, unit__is_active=True, role__in=roles,
                    user__is_active=True,
                    user__groups__name__in=[ROLE_BY_CODE[r].name for r in roles])
            .select_related("user", "unit").order_by("-unit__depth", "user_id"))
    nearest, people = None, {}
    for membership in rows:
        depth = membership.unit.depth
        if nearest is None:
            nearest = depth
        if depth != nearest:
            break
        people.setdefault(membership.user_id, membership.user)
    return list(people.values())
