"""Settings of the bench's child processes: the production profile, one storage swapped.

``RONGMEI_ENV=production`` picks WhiteNoise's ``CompressedManifestStaticFilesStorage``,
whose ``collectstatic`` gzips every front-end file (well over 100 MB with ECharts) and adds
ten seconds or more to each run. No scenario requests a static file, and Django's plain
``ManifestStaticFilesStorage`` gives pages the same hashed URLs, so the bench collects with
that. Everything else is ``rongmei.config.settings`` as the environment configures it.
"""

from rongmei.config.settings import *  # noqa: F403
from rongmei.config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
