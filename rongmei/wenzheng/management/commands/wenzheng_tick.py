from django.core.management.base import BaseCommand

from rongmei.wenzheng.services import wenzheng_tick


class Command(BaseCommand):
    help = ("问政 deadlines: 催办 on a deadline's last working day, record breaches as they "
            "happen, 督办 a working day later, auto-close answered cases left unrated (a timer "
            "runs it every 15 minutes; running it again changes nothing).")

    def handle(self, *args, **options):
        counts = wenzheng_tick()
        self.stdout.write(f"问政期限检查完成：催办 {counts['reminded']} 件，超期 {counts['breached']} 件，"
                          f"督办 {counts['escalated']} 件，自动办结 {counts['closed']} 件")
