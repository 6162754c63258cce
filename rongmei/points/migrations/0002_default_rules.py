"""The earning rules a county starts with (operators change them in the console)."""

from django.db import migrations

RULES = [
    # action, label, points, daily cap (points; 0 = none)
    ("read_article", "阅读文章", 1, 10),
    ("watch_video", "观看视频", 2, 10),
    ("reading_time", "有效阅读时长", 1, 6),
    ("share", "分享", 1, 5),
    ("comment_approved", "发表评论", 2, 6),
    ("checkin", "每日签到", 1, 0),
    ("quiz", "答题", 5, 20),
    ("volunteer_hour", "志愿服务（每小时）", 10, 0),
    ("sanzhang_service", "三长服务", 5, 20),
    ("wenzheng_helpful", "问政答复获好评", 2, 10),
]


def create_rules(apps, schema_editor):
    EarningRule = apps.get_model("points", "EarningRule")
    for order, (action, label, points, cap) in enumerate(RULES):
        EarningRule.objects.get_or_create(action=action, defaults={
            "label": label, "points": points, "daily_cap": cap, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
