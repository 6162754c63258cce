from django.urls import path

from . import views

app_name = "engage"

urlpatterns = [
    path("pages/<int:page_id>/comments/", views.comments_page, name="comments"),
    path("favourites/", views.favourites_page, name="favourites"),
]
