from django.urls import path

from . import views

app_name = "perks"

urlpatterns = [
    path("", views.perks_view, name="list"),
    path("mine/", views.mine_view, name="mine"),
    path("mine/<int:pk>/withdraw/", views.withdraw_view, name="withdraw"),
]
