"""志愿者之家's console screen (roster import) and its cells in 我的."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("volunteers/import/", admin_views.import_roster_view,
                 name="volunteers_import"),
            path("volunteers/showcase/", admin_views.showcase_review_view,
                 name="volunteers_showcase")]


class _OperatorMenuItem(MenuItem):
    def is_shown(self, request):
        from rongmei.core.roles import OPERATOR
        from rongmei.units.access import has_role

        return has_role(request.user, OPERATOR)


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return _OperatorMenuItem("志愿者名册导入", reverse("volunteers_import"), icon_name="group",
                             order=720)


@hooks.register("register_admin_menu_item")
def register_showcase_menu_item():
    return _OperatorMenuItem("活动风采审核", reverse("volunteers_showcase"), icon_name="image",
                             order=721)


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from rongmei.accounts.me import MeCell
    from rongmei.units.access import has_role

    from .models import Volunteer
    from .services import led_teams

    user = request.user
    if not user.is_authenticated:
        return []
    volunteer = Volunteer.objects.filter(user=user).first()
    cells = [MeCell("志愿者之家", reverse("volunteers:card") if volunteer
                    else reverse("volunteers:home"),
                    f"{volunteer.hours_display}小时" if volunteer else "注册志愿者",
                    order=40, testid="me-volunteers")]
    if led_teams(user).exists():
        cells.append(MeCell("队长工作台", reverse("volunteers:lead"), "志愿队伍", group="work",
                            order=30))
    if has_role(user, "grid_leader", "unit_admin", "unit_handler"):
        cells.append(MeCell("三长服务", reverse("volunteers:grid"), "登记与确认", group="work",
                            order=35))
    return cells


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: volunteers' hours confirmed in the period, and how many served."""
    from django.db.models import Count, Sum

    from .models import HoursStatus, Signup

    done = Signup.objects.filter(hours_status=HoursStatus.CONFIRMED,
                                 confirmed_at__date__range=(start, end)).aggregate(
        minutes=Sum("minutes"), people=Count("volunteer", distinct=True))
    return [
        {"code": "volunteer_hours", "label": "志愿服务时长（已确认）",
         "value": round((done["minutes"] or 0) / 60, 1), "unit": "小时", "group": "志愿服务"},
        {"code": "volunteers_served", "label": "参与服务的志愿者", "value": done["people"] or 0,
         "unit": "人", "group": "志愿服务"},
    ]
