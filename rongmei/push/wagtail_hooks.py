"""The 消息推送 screen in the staff console (operators, directors, administrators)."""

from wagtail import hooks

from .admin_views import PushViewSet


@hooks.register("register_admin_viewset")
def register_push():
    return PushViewSet("push", menu_label="消息推送", icon="mail", menu_order=430,
                       add_to_admin_menu=True)
