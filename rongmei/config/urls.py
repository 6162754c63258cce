from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from rongmei.accounts import staff_login
from rongmei.core import views as core_views
from rongmei.home import views as home_views

from .api import api
from .modules import MODULE_BY_CODE

ENABLED_MODULES = [MODULE_BY_CODE[code] for code in settings.RONGMEI_MODULES]

urlpatterns = [
    path("_hello", core_views.hello, name="hello"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("draw/rongmei_draw.py", core_views.draw_script, name="draw-script"),
    path("manifest.webmanifest", home_views.manifest, name="manifest"),
    path("sw.js", home_views.service_worker, name="service-worker"),
    path("offline/", home_views.offline, name="offline"),
    path("api/v1/", api.urls),
    re_path(r"^api/", core_views.page_not_found),  # JSON 404, never the HTML site
    # The console's sign-in, with the optional second factor, ahead of Wagtail's own.
    path("admin/login/", staff_login.StaffLoginView.as_view(), name="wagtailadmin_login"),
    path("admin/login/code/", staff_login.login_code, name="rongmei_staff_login_code"),
    path("admin/login/password/", staff_login.password_set, name="rongmei_staff_password"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("rongmei.accounts.urls")),
    path("notices/", include("rongmei.notices.urls")),
    # Each capability that is on mounts its resident pages (rongmei/config/modules.py).
    *(path(module.url_prefix, include(f"{module.app}.urls"))
      for module in ENABLED_MODULES if module.url_prefix is not None),
    *(path(prefix, include(urlconf))
      for module in ENABLED_MODULES for prefix, urlconf in module.more_urls),
]

if settings.DEBUG and settings.MEDIA_URL.startswith("/"):
    # Never django.conf.urls.static: it would serve private/ (licences, attachments) too.
    urlpatterns.append(re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$",
                               core_views.public_media, name="public-media"))

urlpatterns.append(path("", include(wagtail_urls)))

handler400 = "rongmei.core.views.bad_request"
handler404 = "rongmei.core.views.page_not_found"
handler500 = "rongmei.core.views.server_error"
