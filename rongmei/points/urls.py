from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checkin/", views.checkin, name="checkin"),
    path("history/", views.history, name="history"),
]
