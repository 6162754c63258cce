"""A redemption takes off min(face value, bill), stored on the voucher; statements are per
funder (government subsidy apart from merchants' own vouchers).

Redemptions made before this migration get their discount by the same rule. Statements
already issued keep the totals they were issued with (they are financial records); the
vouchers they list now show what each should have counted.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Least


def backfill_discount(apps, schema_editor):
    Voucher = apps.get_model("vouchers", "Voucher")
    VoucherCampaign = apps.get_model("vouchers", "VoucherCampaign")
    for campaign_id, face_value in VoucherCampaign.objects.values_list("pk", "face_value"):
        Voucher.objects.filter(campaign_id=campaign_id, status="redeemed",
                               discount__isnull=True).update(
            discount=Least(Value(face_value), F("bill_amount")))


class Migration(migrations.Migration):

    dependencies = [
        ('merchants', '0001_initial'),
        ('vouchers', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='settlementstatement',
            name='statement_one_per_merchant_period',
        ),
        migrations.AddField(
            model_name='settlementstatement',
            name='funder',
            field=models.CharField(choices=[('government', '政府'), ('merchant', '商户')], default='government', max_length=16, verbose_name='出资方'),
        ),
        migrations.AddField(
            model_name='voucher',
            name='discount',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='抵扣金额（分）'),
        ),
        migrations.AddField(
            model_name='vouchercampaign',
            name='refuse_below_face_value',
            field=models.BooleanField(default=False, help_text='不勾选时，消费金额低于面额的按消费金额抵扣（顾客实付0元），补贴也只按实际抵扣的金额结算', verbose_name='消费金额低于面额时不能使用'),
        ),
        migrations.AlterField(
            model_name='settlementstatement',
            name='subsidy_total',
            field=models.PositiveBigIntegerField(verbose_name='抵扣金额合计（分）'),
        ),
        migrations.AddConstraint(
            model_name='settlementstatement',
            constraint=models.UniqueConstraint(fields=('merchant', 'funder', 'period_start', 'period_end'), name='statement_one_per_merchant_funder_period'),
        ),
        migrations.RunPython(backfill_discount, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='voucher',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'redeemed'), _negated=True), models.Q(('discount__gt', 0), ('discount__lte', models.F('bill_amount'))), _connector='OR'), name='voucher_discount_within_bill'),
        ),
    ]
