import argparse
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rongmei.accounts.models import User
from rongmei.accounts.validators import normalize_phone
from rongmei.core.errors import ServiceError
from rongmei.vouchers.models import yuan
from rongmei.vouchers.services import statements_generate_all


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = ("Generate settlement statements (结算单) for every merchant with unsettled "
            "redemptions in a period; each redemption goes into exactly one statement.")

    def add_arguments(self, parser):
        parser.add_argument("--start", type=_date, help="结算开始日 YYYY-MM-DD")
        parser.add_argument("--end", type=_date, help="结算结束日 YYYY-MM-DD")
        parser.add_argument("--previous-month", action="store_true",
                            help="结算上个自然月（每月初的定时任务用），代替 --start/--end")
        parser.add_argument("--actor", required=True,
                            help="记为结算单生成人的运营人员手机号（须有运营或管理员角色）")

    def handle(self, *args, start=None, end=None, previous_month=False, actor=None, **options):
        if previous_month:
            end = timezone.localdate().replace(day=1) - timedelta(days=1)
            start = end.replace(day=1)
        elif not (start and end):
            raise CommandError("请给出 --start 和 --end（YYYY-MM-DD），或使用 --previous-month")
        if end < start:
            raise CommandError("结算结束日不能早于开始日")
        try:
            phone = normalize_phone(actor)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        user = User.objects.filter(phone=phone, is_active=True).first()
        if user is None:
            raise CommandError(f"找不到手机号为 {phone} 的有效账号")
        try:
            made = statements_generate_all(actor=user, period_start=start, period_end=end)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        for statement in made:
            self.stdout.write(f"{statement.merchant.name}（{statement.kind_label}）："
                              f"核销 {statement.voucher_count} 张，"
                              f"抵扣 {yuan(statement.subsidy_total)} 元，"
                              f"财政应付 {yuan(statement.government_owes)} 元，"
                              f"带动消费 {yuan(statement.bill_total)} 元")
        self.stdout.write(f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}：生成结算单 {len(made)} 张")
