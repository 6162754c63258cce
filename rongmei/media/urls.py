"""Mounted at /av/ (not /media/, which serves the stored files)."""

from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("assets/<int:pk>/status", views.asset_status, name="status"),
]
