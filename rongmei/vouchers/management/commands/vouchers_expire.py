from django.core.management.base import BaseCommand

from rongmei.vouchers.services import vouchers_expire


class Command(BaseCommand):
    help = ("Expire unused vouchers past their date and return stock to the pool as each "
            "campaign says (a timer runs it every 5 minutes; running it again changes nothing).")

    def handle(self, *args, **options):
        result = vouchers_expire()
        self.stdout.write(f"消费券过期处理完成：过期 {result['expired']} 张"
                          f"（其中退回券池 {result['returned']} 张），"
                          f"已结束场次未领完转入下一场 {result['carried']} 张")
