"""Mounted at /live/: the list of rooms, a room, the media server's callbacks."""

from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("", views.room_list, name="list"),
    path("<int:room_id>/", views.room_page, name="room"),
    path("<int:room_id>/poll", views.poll, name="poll"),
    # Served by the ASGI comment stream in production; this answer tells players to poll.
    path("stream/<int:room_id>", views.stream_unavailable, name="stream"),
    path("media-hooks/<slug:adapter>/<slug:event>", views.media_hook, name="media-hook"),
]
