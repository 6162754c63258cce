"""/api/v1/wechat: what the resident app's pages need from WeChat (JS-SDK config)."""

from __future__ import annotations

from ninja import Router, Schema

from . import wechat
from .api import ErrorOut
from .errors import ServiceError

router = Router(tags=["微信"])


class WechatJssdkConfigOut(Schema):
    appId: str  # the names wx.config takes
    timestamp: int
    nonceStr: str
    signature: str
    jsApiList: list[str]


@router.get("/jssdk-config", response={200: WechatJssdkConfigOut, 400: ErrorOut, 404: ErrorOut,
                                       503: ErrorOut},
            summary="微信 JS-SDK 配置（wx.config 所需的签名）")
def jssdk_config(request, url: str):
    """Signs ``url`` (a page of this site, without its ``#fragment``) for ``wx.config``.
    Off (404) while no 公众号 AppID is configured."""
    if not wechat.is_enabled():
        raise ServiceError("wechat_off", "本站未开启微信分享", status=404)
    if len(url) > 2000 or not wechat.is_own_page(url):
        raise ServiceError("foreign_url", "只能为本站的页面生成微信分享配置", field="url")
    try:
        return wechat.jssdk_config(url=url)
    except wechat.WechatError as exc:
        raise ServiceError("wechat_unavailable", "微信分享暂时不可用，请稍后再试",
                           status=503) from exc
