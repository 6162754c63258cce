from django.conf import settings

from . import wechat
from .modules import link_is_on, module_is_on

ELDER_COOKIE = "rm_elder"


def is_elder_mode(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.elder_mode
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def site(request):
    return {
        "site_name": settings.RONGMEI_SITE_NAME,
        # Wagtail's own views put a "site_name" of their own in the console's context.
        "rongmei_site_name": settings.RONGMEI_SITE_NAME,
        "county_name": settings.RONGMEI_COUNTY_NAME,
        "site_slogan": settings.RONGMEI_SITE_SLOGAN,
        "site_logo": settings.RONGMEI_SITE_LOGO,
        "elder_mode": is_elder_mode(request),
        # Bottom tabs that lead into a module: hidden while it is off.
        "tab_video": link_is_on("/video/"),
        "tab_mall": link_is_on("/mall/"),
        # RSS/Atom discovery links in the head of pages that list stories.
        "news_feeds": module_is_on("news"),
        # WeChat share cards (static/rongmei/js/wechat-share.js): only with a 公众号 AppID.
        "wechat_share": wechat.is_enabled(),
        "wechat_jssdk": wechat.JSSDK_SCRIPT,
    }
