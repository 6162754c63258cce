"""Text is stored as typed (issue 10): undo the HTML escaping plain_text used to store."""

from django.db import migrations

from rongmei.core.text import unescape_stored_fields

FIELDS = {"merchants.Merchant": ["name", "address", "intro", "opening_hours"],
          "merchants.MerchantPost": ["title", "body"]}


def unescape(apps, schema_editor):
    for label, fields in FIELDS.items():
        unescape_stored_fields(apps, label, fields)


class Migration(migrations.Migration):
    dependencies = [("merchants", "0002_staff_invitations")]
    operations = [migrations.RunPython(unescape, migrations.RunPython.noop)]
