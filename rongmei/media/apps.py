from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "rongmei.media"
    label = "media"
    verbose_name = "音视频"
