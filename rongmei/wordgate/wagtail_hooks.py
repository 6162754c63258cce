"""The 敏感词库 menu group of the staff console: the dictionary (editors and up see it,
operators and administrators change it) and the checker (every console role)."""

from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from . import access, admin_views


class DictionaryMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_view(request.user)


class CheckerMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_check(request.user)


class DictionaryViewSet(ViewSet):
    menu_label = "词库"
    icon = "warning"
    menu_item_class = DictionaryMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.WordListView.as_view(), name="index"),
            path("add/", admin_views.WordFormView.as_view(), name="add"),
            path("<int:pk>/edit/", admin_views.WordFormView.as_view(), name="edit"),
            path("import/", admin_views.WordImportView.as_view(), name="import"),
        ]


class CheckerViewSet(ViewSet):
    menu_label = "文本检测"
    icon = "search"
    menu_item_class = CheckerMenuItem

    def get_urlpatterns(self):
        return [path("", admin_views.CheckView.as_view(), name="index")]


class WordgateGroup(ViewSetGroup):
    menu_label = "敏感词库"
    menu_icon = "warning"
    menu_order = 250
    items = (DictionaryViewSet("wordgate_words"), CheckerViewSet("wordgate_check"))


@hooks.register("register_admin_viewset")
def register_wordgate():
    return WordgateGroup()


@hooks.register("insert_global_admin_css")
def wordgate_marks_css():
    """The <mark class="wg-block|wg-review"> styles, on every console page: the newsroom's
    editors show the check API's ``highlighted`` HTML too."""
    return format_html('<link rel="stylesheet" href="{}">', static("wordgate/wordgate.css"))
