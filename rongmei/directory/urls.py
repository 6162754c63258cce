from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/go/", views.go_view, name="go"),
    path("<int:pk>/favourite/", views.favourite_view, name="favourite"),
]
