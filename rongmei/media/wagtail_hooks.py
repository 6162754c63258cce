"""The 音视频库 menu (list, upload, detail) and the video/audio choosers, for staff with
media rights (reporters, editors, reviewers, unit admins, operators, administrators)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.admin_url_finder import register_admin_url_finder
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from . import admin_views, selectors
from .choosers import audio_chooser_viewset, video_chooser_viewset
from .models import MediaAsset


class MediaMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.can_use_media(request.user)


class MediaLibraryViewSet(ViewSet):
    menu_label = "音视频库"
    icon = "media"
    menu_order = 310
    add_to_admin_menu = True
    menu_item_class = MediaMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.MediaLibraryView.as_view(), name="index"),
            path("upload/", admin_views.MediaUploadView.as_view(), name="upload"),
            path("<int:pk>/", admin_views.MediaDetailView.as_view(), name="detail"),
        ]


class MediaAssetURLFinder:
    """Where the choosers' "查看详情" link and Wagtail's own links point for an asset."""

    def __init__(self, user=None):
        self.user = user

    def get_edit_url(self, instance):
        if self.user is not None and not selectors.can_use_media(self.user):
            return None
        return reverse("av:detail", args=(instance.pk,))


register_admin_url_finder(MediaAsset, MediaAssetURLFinder)


@hooks.register("register_admin_viewset")
def register_media_library():
    return [MediaLibraryViewSet("av", url_prefix="av"), video_chooser_viewset,
            audio_chooser_viewset]
