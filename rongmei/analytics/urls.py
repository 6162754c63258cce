from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("collect", views.collect, name="collect"),
    path("device", views.device, name="device"),
    path("c/<str:code>", views.channel_landing, name="channel"),
]
