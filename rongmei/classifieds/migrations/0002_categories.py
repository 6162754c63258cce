"""The six kinds of post come with the app; operators rename, open/close and tune them."""

from django.db import migrations

CATEGORIES = [("house_sale", "房屋出售", "before", 10), ("house_rent", "房屋出租", "after", 20),
              ("secondhand", "二手物品", "after", 30), ("shop_transfer", "店面转让", "before", 40),
              ("job", "企业招聘", "before", 50), ("job_wanted", "个人求职", "after", 60)]


def create(apps, schema_editor):
    Category = apps.get_model("classifieds", "Category")
    for code, name, mode, order in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "review_mode": mode, "expiry_days": 30, "order": order})


class Migration(migrations.Migration):
    dependencies = [("classifieds", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
