from django.urls import path

from . import views, wechat_views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/wechat/", wechat_views.wechat_login_view, name="wechat-login"),
    path("login/wechat/callback/", wechat_views.wechat_callback_view, name="wechat-callback"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me_view, name="me"),
    path("me/settings/", views.settings_view, name="settings"),
    path("me/wechat/bind/", wechat_views.wechat_bind_view, name="wechat-bind"),
    path("me/wechat/unbind/", wechat_views.wechat_unbind_view, name="wechat-unbind"),
    path("me/realname/", views.realname_view, name="realname"),
    path("me/delete/", views.delete_view, name="delete"),
    path("me/elder-mode/", views.elder_mode_view, name="elder-mode"),
]
