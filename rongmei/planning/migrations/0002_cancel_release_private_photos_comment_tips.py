"""派单 can be cancelled and vehicle/equipment bookings end (已预订 → 已归还); tip photos
move under private/ (served only through planning's view, which asks who looks); a comment
can become a tip; the 爆料采用 earning rule a county starts with."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def book_resources(apps, schema_editor):
    """Vehicle and equipment rows were left 待接单 (offered); they are bookings."""
    Assignment = apps.get_model("planning", "Assignment")
    Assignment.objects.filter(resource__isnull=False, status="offered").update(status="booked")


def move_photos_private(apps, schema_editor):
    """Photos stored under planning/tips/ were reachable at MEDIA_URL by anyone with the
    link: each file moves to private/planning/tips/ (same random name)."""
    from django.core.files.storage import default_storage

    TipPhoto = apps.get_model("planning", "TipPhoto")
    for photo in TipPhoto.objects.exclude(image__startswith="private/").iterator():
        old = photo.image.name
        new = f"private/{old}"
        if default_storage.exists(old):
            with default_storage.open(old, "rb") as handle:
                new = default_storage.save(new, handle)
            default_storage.delete(old)
        TipPhoto.objects.filter(pk=photo.pk).update(image=new)


def tip_rule(apps, schema_editor):
    EarningRule = apps.get_model("points", "EarningRule")
    EarningRule.objects.get_or_create(action="tip_adopted", defaults={
        "label": "爆料采用", "points": 20, "daily_cap": 0, "sort_order": 20})


class Migration(migrations.Migration):

    dependencies = [
        ('planning', '0001_initial'),
        ('points', '0002_default_rules'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='取消原因'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='取消人'),
        ),
        migrations.AddField(
            model_name='assignment',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='取消或归还时间'),
        ),
        migrations.AddField(
            model_name='tip',
            name='comment_id',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name='评论编号'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='status',
            field=models.CharField(choices=[('offered', '待接单'), ('accepted', '已接单'), ('declined', '已拒绝'), ('submitted', '已交稿'), ('cancelled', '已取消'), ('booked', '已预订'), ('released', '已归还')], default='offered', max_length=10, verbose_name='状态'),
        ),
        migrations.AlterField(
            model_name='tip',
            name='source',
            field=models.CharField(choices=[('resident', '群众爆料'), ('unit', '单位报送'), ('wenzheng', '问政转线索'), ('comment', '评论转线索')], max_length=10, verbose_name='来源'),
        ),
        migrations.RunPython(book_resources, migrations.RunPython.noop),
        migrations.RunPython(move_photos_private, migrations.RunPython.noop),
        migrations.RunPython(tip_rule, migrations.RunPython.noop),
    ]
