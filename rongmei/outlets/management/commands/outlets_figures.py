from datetime import date

from django.core.management.base import BaseCommand, CommandError

from rongmei.outlets.figures import fetch_figures, yesterday


class Command(BaseCommand):
    help = ("Fetch each active outlet's followers and reads for a day (default yesterday) "
            "from the platforms' statistics APIs. A timer runs it every morning; running it "
            "again rewrites the same day.")

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday, county time)")

    def handle(self, *args, day=None, **options):
        try:
            when = date.fromisoformat(day) if day else yesterday()
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD") from None
        counts = fetch_figures(when)
        self.stdout.write(f"{when} 渠道数据：获取 {counts['fetched']} 个，失败 {counts['failed']} 个，"
                          f"无统计接口 {counts['skipped']} 个")
