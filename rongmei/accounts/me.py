"""我的: the cells of the resident's own page, contributed by the modules that are on.

A module registers a Wagtail hook ``rongmei_me_cells`` in its ``wagtail_hooks.py``: a
function of the request returning ``MeCell`` objects for that person (an empty list when
nothing applies, e.g. the till for someone who works for no merchant). Accounts imports
no module to build the page, and a module that is off adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from wagtail import hooks

# The sections of 我的, in page order.
GROUPS = {"mine": "我的", "work": "我的工作", "account": "账号与设置"}


@dataclass(frozen=True)
class MeCell:
    label: str
    url: str
    value: str = ""
    group: str = "mine"  # a key of GROUPS
    order: int = 50
    testid: str = ""


def me_sections(request) -> list[tuple[str, list[MeCell]]]:
    cells = [cell for hook in hooks.get_hooks("rongmei_me_cells") for cell in hook(request)]
    cells.sort(key=lambda cell: (cell.order, cell.label))
    return [(title, [cell for cell in cells if cell.group == group])
            for group, title in GROUPS.items()
            if any(cell.group == group for cell in cells)]
