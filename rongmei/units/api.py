"""Units API: the public list of the county's units (for choosing a responsible unit)."""

from ninja import Router, Schema

from . import selectors
from .models import UnitKind

router = Router(tags=["单位"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int


@router.get("", response=list[UnitOut], summary="单位列表（按树的先序排列）")
def list_units(request, kind: UnitKind | None = None):
    units = list(selectors.unit_tree(kind=kind))
    parents = selectors.parents_of(units)
    return [
        {"id": u.pk, "code": u.code, "name": u.name, "short_name": u.short_name,
         "kind": u.kind, "kind_label": u.get_kind_display(), "parent_id": parents[u.pk].pk if parents[u.pk] else None,
         "depth": u.depth}
        for u in units
    ]
