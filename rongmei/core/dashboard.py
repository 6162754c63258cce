"""工作台: each role's console home shows its own work, contributed by the apps.

An app registers Wagtail's ``construct_homepage_panels`` hook in its ``wagtail_hooks.py`` and
calls ``add_work(panels, request, group=..., items=[...])`` with what is waiting for this
person (counts it is allowed to see, each linked to the screen where the work is done).
Items from every app land in one panel, 我的工作台, at the top of the dashboard, grouped by
the app's name (稿件, 问政, 互动, 企业之家, 商城 …). Nothing waiting shows as 0, so the
panel also says "all done"; an app whose work this person cannot do adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from wagtail.admin.ui.components import Component


@dataclass(frozen=True)
class WorkItem:
    label: str  # 待我审核的稿件, 待分拣问政 …
    count: int
    url: str
    urgent: bool = False  # drawn in the brand red when count > 0 (deadlines due today)
    hint: str = ""


@dataclass
class WorkPanel(Component):
    """The one 我的工作台 panel; apps add groups of items to it through ``add_work``."""

    name: str = "rongmei_work"
    order: int = 10  # before Wagtail's own panels and the other apps' lists
    groups: list[tuple[str, list[WorkItem]]] = field(default_factory=list)

    def render_html(self, parent_context=None):
        groups = format_html_join("", "{}", ((self._group(title, items),)
                                             for title, items in self.groups))
        waiting = sum(item.count for _, items in self.groups for item in items)
        summary = (format_html("共 <strong>{}</strong> 项待处理", waiting) if waiting
                   else "暂无待处理的工作")
        return format_html(
            '<section class="panel rm-work" aria-labelledby="rm-work-title">'
            '<h2 id="rm-work-title" class="w-panel__heading">我的工作台'
            '<span class="rm-work__summary">{}</span></h2>{}</section>', summary, groups)

    @staticmethod
    def _group(title: str, items: list[WorkItem]):
        tiles = format_html_join("", TILE, ((_tile_class(item), item.url, item.count, item.label,
                                             _hint(item)) for item in items))
        return format_html('<div class="rm-work__group"><h3 class="rm-work__title">{}</h3>'
                           '<div class="rm-work__tiles">{}</div></div>', title, tiles)


TILE = ('<a class="rm-work__tile{}" href="{}"><span class="rm-work__num">{}</span>'
        '<span class="rm-work__label">{}</span>{}</a>')


def _tile_class(item: WorkItem) -> str:
    if not item.count:
        return " rm-work__tile--zero"
    return " rm-work__tile--urgent" if item.urgent else ""


def _hint(item: WorkItem):
    return format_html('<span class="rm-work__hint">{}</span>', item.hint) if item.hint else ""


def add_work(panels: list, request, *, group: str, items: list[WorkItem], order: int = 50):
    """Add ``items`` under ``group`` to this request's 我的工作台 (created on first use).
    Groups keep the order of their ``order`` (smaller first)."""
    if not items:
        return
    panel = next((p for p in panels if isinstance(p, WorkPanel)), None)
    if panel is None:
        panel = WorkPanel()
        panels.insert(0, panel)
    orders = getattr(panel, "_orders", {})
    orders[group] = order
    panel._orders = orders
    panel.groups.append((group, list(items)))
    panel.groups.sort(key=lambda entry: orders.get(entry[0], 50))
