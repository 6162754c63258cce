"""The upload form, shared by the console's upload screen and the choosers' upload tab.
The form only collects input; ``services.media_upload`` decides (and its errors land on
the fields here)."""

from __future__ import annotations

from django import forms

from rongmei.core.errors import ServiceError
from rongmei.core.roles import UNIT_ADMIN
from rongmei.units.access import unit_scope

from .models import MediaKind
from .selectors import is_center_media_staff
from .services import AUDIO_EXTENSIONS, VIDEO_EXTENSIONS, media_upload


class MediaUploadForm(forms.Form):
    title = forms.CharField(label="标题", max_length=120)
    kind = forms.ChoiceField(label="类型", choices=MediaKind.choices, initial=MediaKind.VIDEO)
    file = forms.FileField(label="文件", help_text="")
    unit = forms.ModelChoiceField(label="所属单位", queryset=None, required=False,
                                  empty_label="融媒体中心（不属于某个单位）")

    def __init__(self, *args, user, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fixed_kind = kind
        if kind:  # a chooser uploads one kind only
            del self.fields["kind"]
        from rongmei.units.models import Unit

        if is_center_media_staff(user):
            self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        else:
            self.fields["unit"].queryset = unit_scope(user, UNIT_ADMIN).filter(is_active=True)
            self.fields["unit"].required = True
            self.fields["unit"].empty_label = None
        from django.conf import settings

        self.fields["file"].help_text = (
            f"视频支持 {'、'.join(e.upper() for e in VIDEO_EXTENSIONS)}，不超过"
            f"{settings.MEDIA_MAX_VIDEO_MB}MB；音频支持 "
            f"{'、'.join(e.upper() for e in AUDIO_EXTENSIONS)}，不超过{settings.MEDIA_MAX_AUDIO_MB}MB。"
            "上传后自动转码为适合手机播放的格式。")
        accept = VIDEO_EXTENSIONS if kind == MediaKind.VIDEO else (
            AUDIO_EXTENSIONS if kind == MediaKind.AUDIO else VIDEO_EXTENSIONS + AUDIO_EXTENSIONS)
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{e}" for e in accept)

    def save(self):
        """Upload through the service; on a refusal add the message to the form and
        return None."""
        kind = self.fixed_kind or self.cleaned_data["kind"]
        try:
            return media_upload(actor=self.user, kind=kind, title=self.cleaned_data["title"],
                                upload=self.cleaned_data["file"],
                                unit=self.cleaned_data.get("unit"))
        except ServiceError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
            return None
