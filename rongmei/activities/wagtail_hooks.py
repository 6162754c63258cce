"""活动's console screens and menu, its cell in 我的 and its figures in 数据."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("activities/contests/", admin_views.contests_view, name="activities_contests"),
        path("activities/contests/<int:pk>/", admin_views.contest_view,
             name="activities_contest"),
        path("activities/registrations/<int:pk>/", admin_views.registration_view,
             name="activities_registration"),
        path("activities/registration-photos/<int:pk>/", admin_views.registration_photo_view,
             name="activities_registration_photo"),
        path("activities/judging/", admin_views.judging_view, name="activities_judging"),
        path("activities/judging/<int:pk>/", admin_views.judging_contest_view,
             name="activities_judging_contest"),
        path("activities/quizzes/", admin_views.quizzes_view, name="activities_quizzes"),
        path("activities/live-quizzes/", admin_views.live_quizzes_view,
             name="activities_live_quizzes"),
        path("activities/live-quizzes/<int:pk>/", admin_views.live_quiz_view,
             name="activities_live_quiz"),
        path("activities/draws/", admin_views.draws_view, name="activities_draws"),
        path("activities/draws/<int:pk>/", admin_views.draw_view, name="activities_draw"),
    ]


class _OperatorMenuItem(MenuItem):
    def is_shown(self, request):
        from rongmei.core.roles import OPERATOR
        from rongmei.units.access import has_role

        return has_role(request.user, OPERATOR)


class _ContestsMenuItem(MenuItem):
    def is_shown(self, request):
        from rongmei.core.roles import OPERATOR, UNIT_ADMIN
        from rongmei.units.access import has_role

        return has_role(request.user, OPERATOR, UNIT_ADMIN)


@hooks.register("register_admin_menu_item")
def register_contests_menu_item():
    return _ContestsMenuItem("征集评选", reverse("activities_contests"), icon_name="pick",
                             order=740)


class _JudgeMenuItem(MenuItem):
    def is_shown(self, request):
        from rongmei.core.roles import JUDGE
        from rongmei.units.access import has_role

        return has_role(request.user, JUDGE)


@hooks.register("register_admin_menu_item")
def register_judging_menu_item():
    return _JudgeMenuItem("评委评分", reverse("activities_judging"), icon_name="pick",
                          order=743)


@hooks.register("register_admin_menu_item")
def register_quizzes_menu_item():
    return _OperatorMenuItem("有奖答题", reverse("activities_quizzes"), icon_name="help",
                             order=741)


@hooks.register("register_admin_menu_item")
def register_live_quizzes_menu_item():
    return _OperatorMenuItem("直播答题", reverse("activities_live_quizzes"), icon_name="media",
                             order=744)


@hooks.register("register_admin_menu_item")
def register_draws_menu_item():
    return _OperatorMenuItem("公开摇号", reverse("activities_draws"), icon_name="list-ol",
                             order=742)


@hooks.register("rongmei_analytics_measures")
def analytics_measures(start, end):
    """数据: votes cast, entries submitted and quiz attempts in the period."""
    from .models import Attempt, Entry, Vote

    return [
        {"code": "contest_votes", "label": "评选有效投票", "unit": "票", "group": "活动",
         "value": Vote.objects.filter(invalid=False, day__range=(start, end)).count()},
        {"code": "contest_entries", "label": "参赛作品", "unit": "件", "group": "活动",
         "value": Entry.objects.filter(created_at__date__range=(start, end)).count()},
        {"code": "quiz_attempts", "label": "答题人次", "unit": "次", "group": "活动",
         "value": Attempt.objects.filter(day__range=(start, end)).count()},
    ]


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from rongmei.accounts.me import MeCell

    return [MeCell("活动", reverse("activities:home"), "评选、答题、摇号", order=45,
                   testid="me-activities")]
