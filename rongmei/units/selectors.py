"""Read paths for units."""

from .models import Unit


def unit_tree(*, kind: str | None = None, active_only: bool = True):
    units = Unit.objects.all()
    if active_only:
        units = units.filter(is_active=True)
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("path")


def parents_of(units) -> dict[int, Unit | None]:
    """Map each unit's id to its parent unit in one query, whatever the tree's size."""
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    by_path = {u.path: u for u in Unit.objects.filter(path__in=parent_paths)}
    return {u.pk: by_path.get(u.path[: -Unit.steplen]) if u.depth > 1 else None
            for u in units}
