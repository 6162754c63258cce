"""Give the objects Wagtail's own migrations create Chinese names staff can read."""

from django.db import migrations

RENAMES = [
    ("wagtailcore", "Page", {"depth": 1, "title": "Root"}, {"title": "根页面", "draft_title": "根页面"}),
    ("wagtailcore", "Collection", {"depth": 1, "name": "Root"}, {"name": "全部"}),
    ("wagtailcore", "Workflow", {"name": "Moderators approval"}, {"name": "审核"}),
    ("wagtailcore", "Task", {"name": "Moderators approval"}, {"name": "审核"}),
]


def rename(apps, schema_editor):
    for app_label, model, match, values in RENAMES:
        apps.get_model(app_label, model).objects.filter(**match).update(**values)


class Migration(migrations.Migration):
    dependencies = [("home", "0002_create_homepage")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
