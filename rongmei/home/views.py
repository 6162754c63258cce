"""PWA plumbing: the web app manifest, the service worker and the offline page."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from rongmei.core.pagecache import mark_cacheable


@cache_control(max_age=3600, public=True)
def manifest(request):
    return JsonResponse({
        "name": settings.RONGMEI_SITE_NAME,
        "short_name": settings.RONGMEI_SITE_NAME,
        "description": f"{settings.RONGMEI_COUNTY_NAME}融媒体中心客户端：{settings.RONGMEI_SITE_SLOGAN}",
        "lang": "zh-Hans",  # the one language tag of HTML, feeds and ninjs
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ededed",
        "theme_color": "#c8161e",
        "icons": [
            {"src": static("rongmei/img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("rongmei/img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("rongmei/img/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }, json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json; charset=utf-8")


def service_worker(request):
    response = render(request, "home/sw.js", {
        "precache": [static("vendor/weui/weui.min.css"), static("rongmei/css/app.css"),
                     static("rongmei/js/app.js"), static("rongmei/img/logo.svg"), "/offline/"],
        "version": settings.RONGMEI_ASSET_VERSION,
    }, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def offline(request):
    return mark_cacheable(render(request, "home/offline.html"), seconds=3600)
