"""Run in a fresh process with ``RONGMEI_MODULES`` set (test_modules.py does): does the
site work with this set of modules, and does nothing of a module that is off show?

Prints one JSON line: the problems found (an empty list when all is well).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys


def main(off: list[str]) -> list[str]:
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client
    from django.urls import get_resolver

    from rongmei.config.modules import MODULE_BY_CODE

    problems: list[str] = []
    on = set(settings.RONGMEI_MODULES)
    if on & set(off):
        problems.append(f"switched off but still on: {sorted(on & set(off))}")

    call_command("check", stdout=io.StringIO())
    # Migrations: the graph of what is installed loads (no migration depends on a module
    # that is off) and the database is fully migrated for it.
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        problems.append(f"unapplied migrations: {[str(m) for m, _ in plan][:5]}")

    namespaces = get_resolver().namespace_dict
    client = Client()
    home = client.get("/")
    if home.status_code != 200:
        problems.append(f"home page answered {home.status_code}")
    body = home.content.decode()
    for code in off:
        for path in MODULE_BY_CODE[code].paths:
            if re.search(rf'href="{re.escape(path)}', body):
                problems.append(f"home page links into {code} ({path})")
        if MODULE_BY_CODE[code].url_prefix is not None and code in namespaces:
            problems.append(f"the URL conf still mounts {code}'s pages")

    schema = client.get("/api/v1/openapi.json")
    if schema.status_code != 200:
        problems.append(f"OpenAPI answered {schema.status_code}")
    else:
        paths = schema.json()["paths"]
        for code in off:
            api_prefix = MODULE_BY_CODE[code].api_prefix
            if api_prefix and any(p.startswith(f"/api/v1/{api_prefix}/") or
                                  p == f"/api/v1/{api_prefix}" for p in paths):
                problems.append(f"OpenAPI still documents /api/v1/{api_prefix}")

    from rongmei.accounts.models import User

    admin = User.objects.filter(is_superuser=True).first()
    client.force_login(admin)
    me = client.get("/me/")
    if me.status_code != 200:
        problems.append(f"我的 answered {me.status_code}")
    for code in off:
        for path in MODULE_BY_CODE[code].paths:
            if f'href="{path}' in me.content.decode():
                problems.append(f"我的 links into {code} ({path})")
    dashboard = client.get("/admin/")
    if dashboard.status_code != 200:
        problems.append(f"console answered {dashboard.status_code}")
    else:
        menu = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>',
                         dashboard.content.decode(), re.S)
        urls = set(re.findall(r'"url": "(/admin/[^"]*)"', menu.group(1))) if menu else set()
        for url in sorted(urls):
            status = client.get(url).status_code
            if status >= 400:
                problems.append(f"console menu entry {url} answered {status}")
    return problems


if __name__ == "__main__":
    off = [code for code in os.environ.get("RONGMEI_MODULES", "").split(",")
           if code.startswith("-")]
    result = main([code[1:] for code in off])
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
