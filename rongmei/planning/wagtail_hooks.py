"""策划指挥 in the staff console (线索, 选题与派单, 指挥调度, 车辆与器材) and 我的爆料 / 我的派单
in 我的."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.console import RoleScreenViewSet
from rongmei.core.roles import OPERATOR, REPORTER, UNIT_ADMIN, WENZHENG_HANDLER

from . import admin_views
from .models import Resource
from .services import NEWSDESK, PROPOSERS


class ResourceViewSet(ModelViewSet):
    model = Resource
    icon = "site"
    menu_label = "车辆与器材"
    url_prefix = "planning/resources"
    url_namespace = "planning_resources"
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["name", "kind", "note", "is_active"]
    form_fields = ["name", "kind", "note", "is_active"]


class PlanningGroup(ViewSetGroup):
    menu_label = "策划指挥"
    menu_icon = "calendar"
    menu_order = 205
    items = (
        RoleScreenViewSet("planning_board", url_prefix="planning/board", menu_label="指挥调度",
                          icon="desktop", view_class=admin_views.BoardView, roles=NEWSDESK),
        RoleScreenViewSet("planning_tips", url_prefix="planning/tips", menu_label="线索",
                          icon="mail", view_class=admin_views.TipsView,
                          roles=NEWSDESK + (REPORTER, UNIT_ADMIN, WENZHENG_HANDLER, OPERATOR)),
        RoleScreenViewSet("planning_topics", url_prefix="planning/topics",
                          menu_label="选题与派单", icon="calendar",
                          view_class=admin_views.TopicsView, roles=PROPOSERS),
        ResourceViewSet("planning_resources"),
    )


@hooks.register("register_admin_viewset")
def register_planning():
    return PlanningGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell
    from rongmei.units.access import has_role

    from .services import ASSIGNABLE

    if not request.user.is_authenticated:
        return []
    cells = [MeCell("我的爆料", reverse("planning:my_tips"), "爆料", order=47,
                    testid="me-planning-tips")]
    if has_role(request.user, *ASSIGNABLE):
        cells.append(MeCell("我的派单", reverse("planning:work"), "接单、交稿", group="work",
                            order=20, testid="me-planning-work"))
    return cells


@hooks.register("rongmei_comment_actions")
def comment_actions(request):
    """评论转线索 from 评论审核 (互动): the button posts the comment to the tip desk."""
    from django.urls import reverse

    from rongmei.units.access import has_role

    from .services import COMMENT_TO_TIP

    if not has_role(request.user, *COMMENT_TO_TIP):
        return []
    return [{"label": "转为线索", "url": reverse("planning_tips:index"),
             "name": "comment_to_tip"}]
