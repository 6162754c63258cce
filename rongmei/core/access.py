"""Access control: the one place that decides who may do what, and where.

Every service that acts for a staff member calls one of these at its top (Zulip's
``access_*`` pattern), so a rule is written once:

* ``user_roles(user)`` — the role codes a user holds (cached on the user object);
* ``has_role`` / ``check_role`` — does the user hold any of these roles;
* ``unit_scope(user, role)`` — the units (and everything below them) where the user holds
  a unit-scoped role;
* ``access_unit(user, unit, role=...)`` — fetch a unit the user may act on, or raise.

Administrators (and superusers) hold every role everywhere. Checks never touch more than
two small queries per request, however many units a person spans: scope is a set of tree
paths, and "is this unit inside" is a prefix test, not a join per unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .errors import NotFoundError, PermissionDeniedError
from .roles import ADMINISTRATOR, RESIDENT, ROLE_BY_CODE, ROLE_BY_NAME

if TYPE_CHECKING:
    from rongmei.units.models import Unit


def user_roles(user) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_rongmei_roles", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset(ROLE_BY_CODE) | {RESIDENT}
    else:
        names = user.groups.values_list("name", flat=True)
        roles = frozenset(ROLE_BY_NAME[n].code for n in names if n in ROLE_BY_NAME) | {RESIDENT}
    user._rongmei_roles = roles
    return roles


def has_role(user, *codes: str) -> bool:
    roles = user_roles(user)
    return ADMINISTRATOR in roles or any(code in roles for code in codes)


def check_role(user, *codes: str, message: str | None = None) -> None:
    if not has_role(user, *codes):
        names = "、".join(ROLE_BY_CODE[c].name for c in codes if c in ROLE_BY_CODE)
        raise PermissionDeniedError(message or f"此操作仅限{names}")


def is_county_wide(user) -> bool:
    return ADMINISTRATOR in user_roles(user)


def unit_scope_paths(user, *roles: str) -> frozenset[str]:
    """Tree paths of the units where ``user`` holds any of ``roles`` (cached per user)."""
    from rongmei.units.models import UnitMembership

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


def can_act_in_unit(user, unit: "Unit", *roles: str) -> bool:
    if is_county_wide(user):
        return True
    if not has_role(user, *roles):
        return False
    return _inside(unit.path, unit_scope_paths(user, *roles))


def unit_scope(user, *roles: str):
    """A queryset of the units where ``user`` may act in any of ``roles``."""
    from django.db.models import Q

    from rongmei.units.models import Unit

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


def access_unit(user, unit_or_id, *roles: str) -> "Unit":
    """Return the unit if ``user`` may act there in one of ``roles``; raise otherwise."""
    from rongmei.units.models import Unit

    if isinstance(unit_or_id, Unit):
        unit = unit_or_id
    else:
        unit = Unit.objects.filter(pk=unit_or_id).first()
        if unit is None:
            raise NotFoundError("单位不存在")
    if not can_act_in_unit(user, unit, *roles):
        raise PermissionDeniedError(f"您无权管理“{unit.name}”")
    return unit


def forget_cached_access(user) -> None:
    for attr in ("_rongmei_roles", "_rongmei_unit_paths"):
        if hasattr(user, attr):
            delattr(user, attr)


def merchants_of(user):
    """The approved merchants ``user`` works for (owner or clerk)."""
    from rongmei.merchants.models import Merchant, MerchantStatus

    if not user.is_authenticated:
        return Merchant.objects.none()
    return Merchant.objects.filter(staff__user=user, status=MerchantStatus.APPROVED)


def access_merchant(user, merchant_or_id, *, owner: bool = False):
    """Return the merchant if ``user`` is its staff (its owner, with ``owner=True``) and the
    merchant is approved: a pending, rejected or suspended shop acts on nothing."""
    from rongmei.merchants.models import Merchant, MerchantStaff, MerchantStaffRole, MerchantStatus

    merchant_id = merchant_or_id.pk if isinstance(merchant_or_id, Merchant) else merchant_or_id
    staff = (MerchantStaff.objects.select_related("merchant")
             .filter(user_id=user.pk, merchant_id=merchant_id).first()) if user.is_authenticated else None
    if staff is None:
        if not Merchant.objects.filter(pk=merchant_id).exists():
            raise NotFoundError("商户不存在")
        raise PermissionDeniedError("您不是该商户的工作人员")
    if owner and staff.role != MerchantStaffRole.OWNER:
        raise PermissionDeniedError("只有店主可以执行此操作")
    if staff.merchant.status != MerchantStatus.APPROVED:
        raise PermissionDeniedError("商户已暂停或尚未通过审核，暂时不能进行此操作",
                                    code="merchant_not_live")
    return staff.merchant
