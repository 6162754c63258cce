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


class RoleMenuItem(MenuItem):
    """A menu item shown to holders of ``roles`` (administrators always; everyone who may
    enter the console when ``roles`` is empty)."""

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = tuple(roles)

    def is_shown(self, request):
        return not self.roles or has_role(request.user, *self.roles)


class RoleScreenViewSet(ViewSet):
    """One console screen (a class-based view, usually a ``RoleScreen``) for ``roles``;
    ``ScreenViewSet("name", view_class=..., roles=..., menu_label=...)``."""

    view_class = None
    roles: tuple = ()

    def get_menu_item(self, order=None):
        return RoleMenuItem(label=self.menu_label, url=self.menu_url, name=self.menu_name,
                            icon_name=self.menu_icon, order=self.get_menu_item_order(order),
                            roles=self.roles)

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(roles=tuple(self.roles)), name="index")]


class RoleScreen:
    """Mixin for a console screen's view: refuse anyone without ``roles`` (Wagtail turns the
    denial into a redirect), and end the breadcrumbs with the page title. Use with
    ``WagtailAdminTemplateMixin`` and a Django ``TemplateView``."""

    roles: tuple = ()

    def dispatch(self, request, *args, **kwargs):
        if self.roles and not has_role(request.user, *self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [{"url": "", "label": self.get_page_title()}]
