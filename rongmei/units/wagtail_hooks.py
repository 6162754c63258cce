from django.urls import path
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .forms import MembershipForm, UnitForm
from .models import Unit, UnitMembership


class UnitViewSet(ModelViewSet):
    model = Unit
    icon = "site"
    menu_label = "单位"
    add_to_admin_menu = False
    form_class = UnitForm
    index_view_class = views.UnitIndexView
    add_view_class = views.UnitCreateView
    edit_view_class = views.UnitEditView
    search_fields = ["name", "short_name", "code"]
    list_filter = ["kind", "is_active"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return UnitForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("export/", views.export_units, name="export"),
            path("import/", views.import_units, name="import"),
            path("import-members/", views.import_members, name="import-members"),
        ]


class MembershipViewSet(ModelViewSet):
    model = UnitMembership
    icon = "group"
    menu_label = "单位人员"
    index_view_class = views.MembershipIndexView
    add_view_class = views.MembershipCreateView
    search_fields = ["user__name", "user__phone", "unit__name"]
    list_filter = ["role"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return MembershipForm


class UnitsGroup(ViewSetGroup):
    menu_label = "单位与人员"
    menu_icon = "site"
    menu_order = 300
    items = (UnitViewSet("units"), MembershipViewSet("unit_memberships"))


@hooks.register("register_admin_viewset")
def register_units():
    return UnitsGroup()
