from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_css")
def rongmei_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("rongmei/css/admin.css"))


@hooks.register("insert_global_admin_js")
def rongmei_admin_js():
    """Starts the date/time pickers that Wagtail would start with inline script (see the
    file's comment and rongmei/core/templates/wagtailadmin/widgets/)."""
    return format_html('<script src="{}" defer></script>', static("rongmei/js/admin-widgets.js"))


@hooks.register("construct_main_menu")
def hide_wagtail_help_menu(request, menu_items):
    """Drop Wagtail's "帮助" menu: it links to English pages on wagtail.org (and carries the
    "what's new" badge), which are no use to the newsroom."""
    menu_items[:] = [item for item in menu_items if item.name != "help"]
