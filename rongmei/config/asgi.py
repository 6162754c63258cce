"""The ASGI application: Django, with the live comment stream in front when 直播 is on
(``rongmei live_serve`` runs it under uvicorn; docs/operations.md, "Live")."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongmei.config.settings")
application = get_asgi_application()

from django.conf import settings  # noqa: E402  (configured by get_asgi_application)

if "live" in settings.RONGMEI_MODULES:
    from rongmei.live.stream import with_live_stream

    application = with_live_stream(application)
