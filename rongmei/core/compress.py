"""Static files travel compressed in the demo as in production.

In production ``collectstatic`` writes Brotli and gzip copies of every static file
(WhiteNoise's ``CompressedManifestStaticFilesStorage``) and WhiteNoise sends them to browsers
that accept them. The demo and development serve the source files straight from the apps and
``node_modules`` (WhiteNoise's finders, so an edit shows at once), uncompressed: WeUI alone is
188 KB that way, 26 KB gzipped. This middleware gzips those answers on the way out, for
text types only and only when nothing compressed them already, so a first visit weighs the
same in ``rongmei demo`` as behind nginx. HTML is left alone (nginx compresses it in
production; the page cache's hits should not pay for it here).
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "image/svg+xml",
                "application/json", "application/manifest+json")


class StaticCompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (not request.path.startswith(settings.STATIC_URL)
                or response.has_header("Content-Encoding")
                or not response.get("Content-Type", "").startswith(COMPRESSIBLE)):
            return response
        return super().process_response(request, response)
