"""Video and audio uploads, transcoded in the background for cheap phones."""

from django.conf import settings
from django.db import models


class MediaKind(models.TextChoices):
    VIDEO = "video", "视频"
    AUDIO = "audio", "音频"


class MediaStatus(models.TextChoices):
    PENDING = "pending", "等待转码"
    PROCESSING = "processing", "转码中"
    READY = "ready", "可用"
    FAILED = "failed", "转码失败"


class MediaAsset(models.Model):
    kind = models.CharField("类型", max_length=8, choices=MediaKind.choices)
    title = models.CharField("标题", max_length=120)
    original = models.FileField("原始文件", upload_to="av/originals/%Y/%m/")
    status = models.CharField("状态", max_length=12, choices=MediaStatus.choices,
                              default=MediaStatus.PENDING)
    progress = models.PositiveSmallIntegerField("转码进度（%）", default=0)
    error = models.TextField("错误信息", blank=True)
    # Outputs: a progressive MP4 (H.264/AAC) or an M4A for audio, plus an HLS playlist.
    output = models.FileField("播放文件", upload_to="av/out/%Y/%m/", blank=True)
    hls_playlist = models.CharField("HLS 播放列表", max_length=255, blank=True)
    poster = models.ForeignKey("wagtailimages.Image", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name="封面帧")
    duration = models.FloatField("时长（秒）", null=True, blank=True)
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "音视频"
        verbose_name_plural = "音视频"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == MediaStatus.READY
