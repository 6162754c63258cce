"""/api/v1/wechat: what the resident app's pages need from WeChat (JS-SDK config)."""

from __future__ import annotations

from ninja import Router, Schema

from . import ratelimit, wechat
from .api import ErrorOut
from .errors import ServiceError
from .http import client_ip

router = Router(tags=["微信"])
JSSDK_PER_MINUTE = 30  # per address: a page asks once when it opens


class WechatJssdkConfigOut(Schema):
    appId: str  # the names wx.config takes
    timestamp: int
    nonceStr: str
    signature: str
    jsApiList: list[str]


@router.get("/jssdk-config", response={200: WechatJssdkConfigOut, 400: ErrorOut, 404: ErrorOut,
                                       429: ErrorOut, 503: ErrorOut},
            summary="微信 JS-SDK 配置（wx.config 所需的签名）")
def jssdk_config(request, url: str):
    """Signs ``url`` (a page of this site, without its ``#fragment``) for ``wx.config``.
    Off (404) while no 公众号 AppID is configured. Limited per address (429); after WeChat
    refused or could not be reached, answers 503 for ``JSSDK_BACKOFF_SECONDS`` without
    asking WeChat again (each retry would fetch a new access_token, ending the one the
    publishing outlet shares)."""
    if not wechat.is_enabled():
        raise ServiceError("wechat_off", "本站未开启微信分享", status=404)
    ratelimit.hit("wechat-jssdk", client_ip(request) or "-", limit=JSSDK_PER_MINUTE, window=60,
                  message="请求过于频繁，请稍后再试")
    if len(url) > 2000 or not wechat.is_own_page(url):
        raise ServiceError("foreign_url", "只能为本站的页面生成微信分享配置", field="url")
    try:
        return wechat.jssdk_config(url=url)
    except wechat.WechatError as exc:
        raise ServiceError("wechat_unavailable", "微信分享暂时不可用，请稍后再试",
                           status=503) from exc
