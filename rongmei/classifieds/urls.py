from django.urls import path

from . import views

app_name = "classifieds"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("new/", views.new_view, name="new"),
    path("mine/", views.mine_view, name="mine"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/edit/", views.edit_view, name="edit"),
    path("<int:pk>/reveal/", views.reveal_view, name="reveal"),
    path("<int:pk>/report/", views.report_view, name="report"),
    path("<int:pk>/close/", views.mine_action_view, {"action": "close"}, name="close"),
    path("<int:pk>/renew/", views.mine_action_view, {"action": "renew"}, name="renew"),
]
