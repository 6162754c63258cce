"""Text is stored as typed (issue 10): undo the HTML escaping plain_text used to store."""

from django.db import migrations

from rongmei.core.text import unescape_stored_fields

FIELDS = {"engage.Comment": ["body"], "engage.CommentReply": ["body"], "engage.Report": ["text"]}


def unescape(apps, schema_editor):
    for label, fields in FIELDS.items():
        unescape_stored_fields(apps, label, fields)


class Migration(migrations.Migration):
    dependencies = [("engage", "0001_initial")]
    operations = [migrations.RunPython(unescape, migrations.RunPython.noop)]
