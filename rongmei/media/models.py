"""Video and audio uploads, transcoded in the background for cheap phones.

An asset is uploaded in the staff console (``services.media_upload``), checked with ffprobe,
and then ``tasks.transcode_media`` turns it into what a phone in a WeChat web view plays
well: a progressive H.264/AAC MP4 (or an AAC .m4a for audio) plus an HLS rendition, a poster
frame, and the duration and size. The newsroom's pages point at assets through foreign keys
and show them with ``{% include "media/_player.html" with asset=page.video %}``.
"""

from django.conf import settings
from django.core.files.storage import default_storage
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
    # Added after 0001 (the newsroom already points at the fields above).
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="media_assets", verbose_name="所属单位",
                             help_text="分端管理员上传的音视频归属其单位；中心上传的为空")
    original_name = models.CharField("原始文件名", max_length=255, blank=True)
    original_size = models.PositiveBigIntegerField("原始文件大小（字节）", default=0)
    error_detail = models.TextField("转码日志（末尾）", blank=True,
                                    help_text="ffmpeg 出错时的输出末尾，供技术人员排查")
    attempts = models.PositiveSmallIntegerField("转码次数", default=0)
    processing_started_at = models.DateTimeField("开始转码时间", null=True, blank=True)

    class Meta:
        verbose_name = "音视频"
        verbose_name_plural = "音视频"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"], name="media_kind_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="media_progress_at_most_100"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == MediaStatus.READY

    @property
    def is_video(self) -> bool:
        return self.kind == MediaKind.VIDEO

    @property
    def playback_url(self) -> str:
        """The progressive MP4 (video) or M4A (audio) to play; "" until the asset is ready."""
        if not self.is_ready or not self.output:
            return ""
        return self.output.url

    @property
    def hls_url(self) -> str:
        """The HLS VOD playlist; "" until the asset is ready."""
        if not self.is_ready or not self.hls_playlist:
            return ""
        return default_storage.url(self.hls_playlist)

    @property
    def poster_url(self) -> str:
        """The poster frame (a Wagtail image, at most 720p); "" for audio or before it exists."""
        if self.poster_id is None:
            return ""
        try:
            return self.poster.file.url
        except (ValueError, AttributeError):
            return ""

    @property
    def duration_display(self) -> str:
        if not self.duration:
            return ""
        seconds = round(self.duration)
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
