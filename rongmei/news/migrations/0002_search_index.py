"""The search index over FeedEntry.search_text (see rongmei/news/search.py and
docs/architecture.md, "Newsroom").

PostgreSQL: an expression GIN index on to_tsvector('simple', search_text). SQLite: an FTS5
table with external content and triggers. Other databases: nothing (search scans).
On a large PostgreSQL table, create the index by hand first with CREATE INDEX CONCURRENTLY
under the same name; this migration then finds it (IF NOT EXISTS).
"""

import logging

from django.db import migrations


def install(apps, schema_editor):
    from rongmei.news import search

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        search.install_postgresql_index(connection)
    elif connection.vendor == "sqlite":
        try:
            search.install_sqlite_index(connection)
        except Exception:  # noqa: BLE001 - SQLite without FTS5: search falls back to a scan
            logging.getLogger(__name__).warning("SQLite without FTS5: news search will scan")


def uninstall(apps, schema_editor):
    from rongmei.news import search

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        search.uninstall_postgresql_index(connection)
    elif connection.vendor == "sqlite":
        search.uninstall_sqlite_index(connection)


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
