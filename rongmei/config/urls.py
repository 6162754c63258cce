from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from rongmei.core import views as core_views
from rongmei.home import views as home_views

from .api import api

urlpatterns = [
    path("_hello", core_views.hello, name="hello"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("manifest.webmanifest", home_views.manifest, name="manifest"),
    path("sw.js", home_views.service_worker, name="service-worker"),
    path("offline/", home_views.offline, name="offline"),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.page_not_found),  # JSON 404, never the HTML site
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("vouchers/", include("rongmei.vouchers.urls")),
    # Only sub-paths (products/, orders/, verify/): /mall/ itself is the Wagtail tab page.
    path("mall/", include("rongmei.mall.urls")),
    path("points/", include("rongmei.points.urls")),
    path("", include("rongmei.accounts.urls")),
    path("merchants/", include("rongmei.merchants.urls")),
    path("wenzheng/", include("rongmei.wenzheng.urls")),
    path("av/", include("rongmei.media.urls")),
    path("engage/", include("rongmei.engage.urls")),
    path("", include("rongmei.news.urls")),  # feeds/, search/
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "rongmei.core.views.page_not_found"
handler500 = "rongmei.core.views.server_error"
