from django.core.management.base import BaseCommand

from rongmei.wenzheng.services import wenzheng_tick


class Command(BaseCommand):
    help = ("问政 deadlines: 催办 on a deadline's last working day, record breaches as they "
            "happen, 督办 a working day later, close 待补充 cases past their deadline (补充超时), "
            "auto-close answered cases left unrated, and from 1 November remind operators of "
            "next year's missing 节假日安排 (a timer runs it every 15 minutes; running it again "
            "changes nothing).")

    def handle(self, *args, **options):
        counts = wenzheng_tick()
        self.stdout.write(
            f"问政期限检查完成：催办 {counts['reminded']} 件，超期 {counts['breached']} 件，"
            f"督办 {counts['escalated']} 件，补充超时 {counts['info_timeout']} 件，"
            f"自动办结 {counts['closed']} 件"
            + (f"；已提醒录入节假日安排 {counts['calendar']} 个年份" if counts["calendar"] else ""))
