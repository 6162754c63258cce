"""Choosers for the page editor: one for videos, one for audio. Each lists only assets of
its kind that are ready or still transcoding (and that the editor may see), and has an
upload tab that goes through ``services.media_upload`` like the console's upload screen.

Use the widgets from ``rongmei.media.widgets`` on the newsroom's foreign keys::

    FieldPanel("video", widget=VideoChooser)
    FieldPanel("audio", widget=AudioChooser)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from . import selectors
from .forms import MediaUploadForm
from .models import MediaAsset, MediaKind


class MediaChooserMixin:
    """Role check, the kind's queryset and the upload form, for every chooser view."""

    kind = MediaKind.VIDEO

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_use_media(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        return selectors.assets_for_chooser(user=self.request.user, kind=self.kind)

    def can_create(self):
        return selectors.can_use_media(self.request.user)

    def get_creation_form_class(self):
        return MediaUploadForm

    def get_creation_form_kwargs(self):
        kwargs = super().get_creation_form_kwargs()
        kwargs.update({"user": self.request.user, "kind": self.kind})
        return kwargs


class MediaChooseColumnsMixin:
    @property
    def columns(self):
        return [*super().columns,
                Column("status", label="状态", accessor="get_status_display"),
                Column("duration", label="时长", accessor="duration_display"),
                Column("created_at", label="上传时间", accessor="created_at")]


def _views(kind: str) -> dict:
    mixin = type(f"{kind.title()}ChooserMixin", (MediaChooserMixin,), {"kind": kind})

    class ChooseView(mixin, MediaChooseColumnsMixin, chooser_views.ChooseView):
        pass

    class ChooseResultsView(mixin, MediaChooseColumnsMixin, chooser_views.ChooseResultsView):
        pass

    class ChosenView(mixin, chooser_views.ChosenView):
        def get_object(self, pk):
            return self.get_object_list().get(pk=pk)

    class ChosenMultipleView(mixin, chooser_views.ChosenMultipleView):
        def get_objects(self, pks):
            return self.get_object_list().filter(pk__in=pks)

    class CreateView(mixin, chooser_views.CreateView):
        def post(self, request):
            self.form = self.get_creation_form()
            asset = self.form.save() if self.form.is_valid() else None
            if asset is None:
                return self.get_reshow_creation_form_response()
            return self.get_chosen_response(asset)

    return {"choose_view_class": ChooseView, "choose_results_view_class": ChooseResultsView,
            "chosen_view_class": ChosenView, "chosen_multiple_view_class": ChosenMultipleView,
            "create_view_class": CreateView}


class MediaChooserViewSet(ChooserViewSet):
    model = MediaAsset
    register_widget = False  # two choosers for one model: pages name theirs explicitly
    per_page = 20
    edit_item_text = "查看详情"
    create_action_label = "上传"
    create_action_clicked_label = "正在上传并检查文件…"
    search_tab_label = "选择"


VideoChooserViewSet = type("VideoChooserViewSet", (MediaChooserViewSet,), {
    "icon": "media", "choose_one_text": "选择视频", "choose_another_text": "更换视频",
    "creation_tab_label": "上传视频", **_views(MediaKind.VIDEO)})
AudioChooserViewSet = type("AudioChooserViewSet", (MediaChooserViewSet,), {
    "icon": "media", "choose_one_text": "选择音频", "choose_another_text": "更换音频",
    "creation_tab_label": "上传音频", **_views(MediaKind.AUDIO)})


video_chooser_viewset = VideoChooserViewSet("av_video_chooser", url_prefix="av-choose/video")
audio_chooser_viewset = AudioChooserViewSet("av_audio_chooser", url_prefix="av-choose/audio")
