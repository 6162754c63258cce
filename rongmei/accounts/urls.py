from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me_view, name="me"),
    path("me/settings/", views.settings_view, name="settings"),
    path("me/realname/", views.realname_view, name="realname"),
    path("me/delete/", views.delete_view, name="delete"),
    path("me/elder-mode/", views.elder_mode_view, name="elder-mode"),
]
