"""A static files finder for the few files the app uses from npm packages.

Mapping whole ``dist`` folders would collect megabytes nobody loads (ECharts' alone is
~50 MB of variants); this finder serves exactly the files named in ``NPM_STATIC_FILES``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# URL path under STATIC_URL → path inside node_modules (package.json installs them).
NPM_STATIC_FILES = {
    "vendor/weui/weui.min.css": "weui/dist/style/weui.min.css",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    # hls.js "light" (no subtitles or alternate audio): the live room's player where the
    # browser has no native HLS.
    "vendor/hls.js/hls.light.min.js": "hls.js/dist/hls.light.min.js",
    # Its last line names this map: the manifest storage of collectstatic needs it present.
    "vendor/hls.js/hls.light.min.js.map": "hls.js/dist/hls.light.min.js.map",
}


class NpmFilesFinder(BaseFinder):
    def _source(self, path: str) -> Path | None:
        relative = NPM_STATIC_FILES.get(path)
        return settings.NODE_MODULES / relative if relative else None

    def check(self, **kwargs):
        missing = [p for p in NPM_STATIC_FILES if not self._source(p).is_file()]
        if missing:
            return [Error(f"Front-end files missing from node_modules: {', '.join(missing)}",
                          hint="Run `npm ci` (make install does).", id="rongmei.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        source = self._source(path)
        if source is None or not source.is_file():
            return [] if find_all or kwargs.get("all") else None
        return [str(source)] if find_all or kwargs.get("all") else str(source)

    def list(self, ignore_patterns):
        for path in NPM_STATIC_FILES:
            source = self._source(path)
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(path).parent)
                yield source.name, storage
