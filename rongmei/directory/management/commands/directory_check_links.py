"""Timer (hourly is plenty): mark services whose external address no longer answers."""

from django.core.management.base import BaseCommand

from rongmei.directory.services import check_links


class Command(BaseCommand):
    help = "检查服务+外部链接，标记失效的服务"

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=5.0, help="每个链接的超时秒数")

    def handle(self, *args, timeout, **options):
        counts = check_links(timeout=timeout)
        self.stdout.write(f"正常 {counts['ok']} 项，失效 {counts['broken']} 项")
