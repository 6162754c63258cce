"""The 文明实践 service menu a county starts with (operators change it in the console)."""

from django.db import migrations

MENU = [
    ("助老服务", "陪伴、代购、打扫卫生"),
    ("义诊", "测血压血糖、健康咨询"),
    ("家电维修", "小家电、电路检修"),
    ("政策宣讲", "惠民政策、法律知识进村入户"),
    ("文艺演出", "送戏下乡、广场文艺"),
    ("环境整治", "清扫、垃圾分类宣传"),
    ("助学辅导", "课业辅导、心理关爱"),
]


def create_menu(apps, schema_editor):
    MenuItem = apps.get_model("volunteers", "MenuItem")
    for order, (name, description) in enumerate(MENU):
        MenuItem.objects.get_or_create(name=name, defaults={
            "description": description, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(create_menu, migrations.RunPython.noop)]
