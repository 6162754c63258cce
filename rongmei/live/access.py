"""Who may run a live room: the one place the rules are written (they call the access
module ``rongmei.units.access``; nothing here re-implements a scope check).

* The center's editors, chief editors, directors and operators run every room.
* A unit admin (分端管理员) runs the rooms of their own unit (and the units below it); the
  rooms they create wait for a chief editor's or director's approval before going public.
* Reporters may write 图文直播 entries in any room they can see in the console.
"""

from __future__ import annotations

from rongmei.core.errors import NotFoundError, PermissionDeniedError
from rongmei.core.roles import CHIEF_EDITOR, DIRECTOR, EDITOR, OPERATOR, REPORTER, UNIT_ADMIN
from rongmei.units.access import can_act_in_unit, check_role, has_role, unit_scope

from .models import LiveRoom

CENTER_ROLES = (EDITOR, CHIEF_EDITOR, DIRECTOR, OPERATOR)
REVIEWERS = (CHIEF_EDITOR, DIRECTOR)
ROOM_ROLES = CENTER_ROLES + (UNIT_ADMIN,)
BLOG_ROLES = ROOM_ROLES + (REPORTER,)
NO_RIGHTS = "只有编辑、主编、总编辑、运营或本单位的分端管理员可以管理直播"


def is_center(user) -> bool:
    return has_role(user, *CENTER_ROLES)


def may_run_rooms(user) -> bool:
    return has_role(user, *ROOM_ROLES)


def rooms_for(user, *, blog: bool = False):
    """The rooms ``user`` may run (or write live-blog entries in)."""
    roles = BLOG_ROLES if blog else ROOM_ROLES
    if not has_role(user, *roles):
        return LiveRoom.objects.none()
    if is_center(user) or (blog and has_role(user, REPORTER)):
        return LiveRoom.objects.all()
    return LiveRoom.objects.filter(unit__in=unit_scope(user, UNIT_ADMIN))


def access_room(user, room_id, *, blog: bool = False, lock: bool = False) -> LiveRoom:
    """The room, if ``user`` may run it (``blog``: write its live blog); raise otherwise.
    ``lock`` takes the row lock (call inside a transaction)."""
    check_role(user, *(BLOG_ROLES if blog else ROOM_ROLES), message=NO_RIGHTS)
    queryset = LiveRoom.objects.select_for_update() if lock else LiveRoom.objects
    try:
        room = queryset.get(pk=int(room_id))
    except (LiveRoom.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("直播间不存在") from None
    if is_center(user) or (blog and has_role(user, REPORTER)):
        return room
    if room.unit is None or not can_act_in_unit(user, room.unit, UNIT_ADMIN):
        raise PermissionDeniedError("这个直播间不属于您管理的单位")
    return room


def check_reviewer(user) -> None:
    check_role(user, *REVIEWERS, message="只有主编或总编辑可以审核分端直播")
