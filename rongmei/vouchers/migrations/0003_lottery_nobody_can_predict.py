"""报名摇号 nobody can predict: the public value's source is committed with the seed, the
entry list is sealed (digest, quota) when sign-up closes, the public value is entered at
the draw; entries record whether they were left out at the seal or forfeited a win."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0002_settlement_pays_what_was_spent'),
    ]

    operations = [
        migrations.AddField(
            model_name='lotteryentry',
            name='excluded',
            field=models.BooleanField(default=False, verbose_name='未参加摇号'),
        ),
        migrations.AddField(
            model_name='lotteryentry',
            name='forfeited',
            field=models.BooleanField(default=False, verbose_name='中签作废（账号已注销）'),
        ),
        migrations.AddField(
            model_name='vouchercampaign',
            name='lottery_closed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='名单封存时间'),
        ),
        migrations.AddField(
            model_name='vouchercampaign',
            name='lottery_entries_digest',
            field=models.CharField(blank=True, max_length=64, verbose_name='报名名单指纹（SHA-256）'),
        ),
        migrations.AddField(
            model_name='vouchercampaign',
            name='lottery_public_source',
            field=models.CharField(blank=True, help_text='报名截止之后才产生、谁也控制不了的公开数字，如“2026年6月1日福彩3D第2026145期开奖号码”', max_length=120, verbose_name='公开随机数来源'),
        ),
        migrations.AddField(
            model_name='vouchercampaign',
            name='lottery_public_value',
            field=models.CharField(blank=True, max_length=60, verbose_name='公开随机数'),
        ),
        migrations.AddField(
            model_name='vouchercampaign',
            name='lottery_quota',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='中签名额'),
        ),
        migrations.AlterField(
            model_name='lotteryentry',
            name='number',
            field=models.PositiveIntegerField(verbose_name='报名编号'),
        ),
    ]
