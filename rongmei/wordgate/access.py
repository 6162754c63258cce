"""Who may do what with the word gate (one place; views, API and services ask here).

* Managers — operators and administrators: add, edit, deactivate, import, export.
* Viewers — editors, chief editors and directors, besides the managers: see the dictionary
  and use the checker.
* Checkers — anyone with a console role (reporters and unit admins write copy too): the
  check API the console's editors call, and the 检测 screen. Residents never: probing the
  API would reveal the dictionary.
"""

from __future__ import annotations

from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR, ROLES
from rongmei.units.access import check_role, has_role

MANAGER_ROLES = (OPERATOR,)  # administrators hold every role
VIEWER_ROLES = (EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR)
CHECKER_ROLES = tuple(role.code for role in ROLES if role.console)


def can_manage(user) -> bool:
    return has_role(user, *MANAGER_ROLES)


def can_view(user) -> bool:
    return has_role(user, *VIEWER_ROLES)


def can_check(user) -> bool:
    return has_role(user, *CHECKER_ROLES)


def check_manager(user) -> None:
    check_role(user, *MANAGER_ROLES, message="只有运营人员和管理员可以维护敏感词库")


def check_checker(user) -> None:
    check_role(user, *CHECKER_ROLES, message="敏感词检测仅限工作人员使用")
