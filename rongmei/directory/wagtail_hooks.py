"""服务+ in the staff console: services, categories, halls (Wagtail model screens, checked by
the permissions the operator role holds), usage and the Excel import (operators only)."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from rongmei.core.console import OperatorViewSet

from . import admin_views
from .models import Service, ServiceCategory, ServiceHall


class ServiceViewSet(ModelViewSet):
    model = Service
    icon = "link"
    menu_label = "服务事项"
    url_prefix = "directory/services"
    url_namespace = "directory_services"
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["name", "category", Column("kind", label="类型",
                                                accessor="get_kind_display"),
                    Column("open_mode", label="打开方式", accessor="get_open_mode_display"),
                    Column("link_status", label="链接状态", accessor="get_link_status_display"),
                    "link_error", "is_active"]
    list_filter = ["kind", "category", "link_status", "is_active", "open_mode"]
    search_fields = ["name", "tags", "summary"]
    form_fields = ["name", "kind", "category", "unit", "icon", "open_mode", "url",
                   "miniprogram_appid", "miniprogram_path", "tags", "requires_login", "summary",
                   "materials", "steps", "fees", "hours", "place", "phone", "order", "is_active"]

    def get_form_class(self, for_update=False):
        from .forms import ServiceForm

        return ServiceForm


class CategoryViewSet(ModelViewSet):
    model = ServiceCategory
    icon = "folder-open-inverse"
    menu_label = "服务分类"
    url_prefix = "directory/categories"
    url_namespace = "directory_categories"
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["name", Column("kind", label="类型", accessor="get_kind_display"), "order"]
    form_fields = ["name", "kind", "icon", "order"]


class HallViewSet(ModelViewSet):
    model = ServiceHall
    icon = "site"
    menu_label = "政务服务大厅"
    url_prefix = "directory/halls"
    url_namespace = "directory_halls"
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["name", "address", "hours", "phone"]
    form_fields = ["name", "address", "hours", "phone", "map_url", "order"]


class DirectoryGroup(ViewSetGroup):
    menu_label = "服务+"
    menu_icon = "link"
    menu_order = 420
    items = (
        ServiceViewSet("directory_services"),
        CategoryViewSet("directory_categories"),
        HallViewSet("directory_halls"),
        OperatorViewSet("directory_usage", menu_label="使用统计", icon="view",
                        view_class=admin_views.UsageView),
        OperatorViewSet("directory_import", menu_label="Excel导入", icon="upload",
                        view_class=admin_views.ImportView),
    )


@hooks.register("register_admin_viewset")
def register_directory():
    return DirectoryGroup()


@hooks.register("rongmei_me_cells")
def me_cells(request):
    from django.urls import reverse

    from rongmei.accounts.me import MeCell

    return [MeCell("我的常用服务", reverse("directory:index") + "#mine", "服务+", order=45,
                   testid="me-directory")]
