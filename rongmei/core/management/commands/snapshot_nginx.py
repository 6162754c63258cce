"""``rongmei snapshot_nginx``: nginx's lines for serving page snapshots with the app's headers.

Renders the home page (or ``--path``) as an anonymous visitor reaching ``BASE_URL`` through
nginx would, and prints the ``add_header`` lines and header-set identifier that
deploy/nginx.conf includes as /etc/nginx/rongmei_snapshot.conf (``rongmei.core.snapshots``).
Run it after every upgrade, then reload nginx.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings

from rongmei.core import snapshots


class Command(BaseCommand):
    help = "Print the nginx include that serves page snapshots with the app's own headers."

    def add_arguments(self, parser):
        parser.add_argument("--path", default="/", help="the page rendered (default %(default)s)")

    def handle(self, *args, path, **options):
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        with override_settings(PAGE_SNAPSHOT_DIR=""):  # looks, writes nothing
            response = Client().get(path, HTTP_HOST=base.netloc,
                                    HTTP_X_FORWARDED_PROTO=base.scheme or "https")
        headers = snapshots.snapshot_headers(response, "std")
        if headers is None:
            raise CommandError(
                f"{path} 以访客身份访问返回 {response.status_code}（{response.get('Content-Type')}，"
                f"{response.get('Cache-Control')}），不是可以存为快照的公开页面")
        self.stdout.write(snapshots.nginx_include(headers), ending="")
