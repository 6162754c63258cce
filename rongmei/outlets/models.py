"""Outlets (分发渠道) a published story is delivered to: WeChat official account, Weibo, Douyin,
WeChat video account, signed webhooks. Pull outlets (the app, website, RSS, ninjs JSON) are
served from published pages and need no row here.
"""

from django.db import models


class OutletKind(models.TextChoices):
    WECHAT_MP = "wechat_mp", "微信公众号"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    WECHAT_CHANNELS = "wechat_channels", "微信视频号"
    WEBHOOK = "webhook", "Webhook（签名推送）"


class Outlet(models.Model):
    name = models.CharField("渠道名称", max_length=40)
    kind = models.CharField("类型", max_length=20, choices=OutletKind.choices)
    is_active = models.BooleanField("启用", default=True)
    api_base = models.URLField("接口地址", blank=True,
                               help_text="留空使用官方地址；测试或私有部署时可改为其他地址")
    app_id = models.CharField("AppID / AppKey / Client Key", max_length=100, blank=True)
    # Fernet-encrypted (rongmei.core.crypto); never shown back in the console.
    secret_encrypted = models.TextField("密钥（加密存储）", blank=True, editable=False)
    settings = models.JSONField("其他设置", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "分发渠道"
        verbose_name_plural = "分发渠道"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name
