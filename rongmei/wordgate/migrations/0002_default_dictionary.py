"""Install the default dictionary (``rongmei.wordgate.defaults``)."""

from django.db import migrations


def install(apps, schema_editor):
    from rongmei.wordgate.defaults import install_defaults

    install_defaults(apps.get_model("wordgate", "WordEntry"),
                     apps.get_model("wordgate", "DictionaryVersion"))


def uninstall(apps, schema_editor):
    from rongmei.wordgate.defaults import default_words
    from rongmei.wordgate.normalize import normalize_word

    apps.get_model("wordgate", "WordEntry").objects.filter(
        created_by__isnull=True,
        normalized__in=[normalize_word(word) for word in default_words()]).delete()


class Migration(migrations.Migration):
    dependencies = [("wordgate", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
