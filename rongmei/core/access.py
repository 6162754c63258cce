"""Roles: who holds which role, county-wide (the ground floor of access control).

Capability apps never import this module: they call ``rongmei.units.access``, the one
access module, which re-exports these checks and adds where (in which units) a person may
act. Only the platform below it (``core``, ``accounts``) uses this directly. An
import-linter contract holds that.

* ``user_roles(user)`` — the role codes a user holds (cached on the user object);
* ``has_role`` / ``check_role`` — does the user hold any of these roles.

Administrators (and superusers) hold every role everywhere.
"""

from __future__ import annotations

from .errors import PermissionDeniedError
from .roles import ADMINISTRATOR, RESIDENT, ROLE_BY_CODE, ROLE_BY_NAME


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


def forget_cached_access(user) -> None:
    for attr in ("_rongmei_roles", "_rongmei_unit_paths"):
        if hasattr(user, attr):
            delattr(user, attr)




def holds_console_role(user) -> bool:
    """Whether ``user`` is staff: ``is_staff``, a superuser, or holding any role that may
    enter the staff console. Such accounts sign in with a password or an SMS code only."""
    if user is None:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(ROLE_BY_CODE[code].console for code in user_roles(user) if code in ROLE_BY_CODE)
