from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0008_live_quiz"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicdraw",
            name="public_value_on",
            field=models.DateField(blank=True, null=True, verbose_name="公开随机数开奖日期"),
        ),
    ]
