"""Pieces every app's staff-console menu uses: a menu item and a one-screen view set shown
to operators (and administrators) only."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from .access import has_role
from .roles import OPERATOR


class OperatorMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(request.user, OPERATOR)


class OperatorViewSet(ViewSet):
    """A console screen that is not a model listing, shown to operators: pass
    ``view_class`` (a class-based view that checks the role itself)."""

    menu_item_class = OperatorMenuItem
    view_class = None

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]


def require_operator(request) -> None:
    """Operators and administrators only; Wagtail turns the denial into a redirect."""
    if not has_role(request.user, OPERATOR):
        raise PermissionDenied


class OperatorRequiredMixin:
    """For console views: refuse anyone who is not an operator (or administrator)."""

    def dispatch(self, request, *args, **kwargs):
        require_operator(request)
        return super().dispatch(request, *args, **kwargs)
